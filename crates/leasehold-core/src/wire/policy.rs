//! The seat policy as the admin API shows it (`crate::policy::Policy::view`):
//! its groups, each product's rules with their lines, and the order of
//! precedence, so the UI shows what the server applies.

use crate::ErrorCode;
use crate::ids::Product;
use serde::{Deserialize, Serialize};

/// The policy in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyView {
    /// The file it was read from (empty for no policy).
    pub file: String,
    /// In file order.
    pub groups: Vec<PolicyGroupView>,
    /// In file order.
    pub products: Vec<ProductPolicyView>,
    /// The order rules apply in; the first step that denies decides.
    pub precedence: Vec<PrecedenceStep>,
}

/// A group: its members as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyGroupView {
    pub name: String,
    pub line: u32,
    pub users: Vec<String>,
    pub hosts: Vec<String>,
}

/// One product's rules, in the order of precedence (each kind in file order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProductPolicyView {
    pub product: Product,
    /// Where its `[products.NAME]` is.
    pub line: u32,
    pub rules: Vec<PolicyRuleView>,
    /// Seats never lent out for offline use.
    pub keep_unborrowed: u32,
}

/// What a rule does (see the precedence).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum PolicyRuleKind {
    Exclude,
    Include,
    Max,
    Reserve,
}

/// One rule: an include or exclude entry, or a max or reserve rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRuleView {
    pub kind: PolicyRuleKind,
    /// `user:NAME`, `host:NAME` or `group:NAME`.
    pub subject: String,
    /// With max and reserve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seats: Option<u32>,
    pub line: u32,
    /// The rule as a denial names it, e.g. `reserve 3 for group:cad-core (policy.toml:9)`.
    pub text: String,
}

/// One step of the order of precedence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrecedenceStep {
    /// 1 first.
    pub step: u32,
    /// The rule's key in the file (`licence` for the last step).
    pub rule: String,
    pub effect: String,
    /// The code a denial at this step answers; none at the last step (the
    /// licence's own codes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
}

/// `GET /admin/v1/policy`: the policy in force, the file as it is on disk,
/// and why the file is not in force when it is not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyStatus {
    pub policy: PolicyView,
    /// `policy.toml`'s text as last read (empty when there is none).
    pub text: String,
    /// The file was changed but is invalid (file, line and reason): the
    /// policy before it stays in force until it is fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the policy in force was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loaded_at: Option<crate::Timestamp>,
}

/// `PUT /admin/v1/policy`: the new text of `policy.toml` (empty: no policy).
/// Through the API at most about 60 KB (the request limit); a longer policy
/// (up to 1 MiB) is written to the file itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyText {
    #[schema(max_length = 60_000)]
    pub text: String,
}

/// `POST /admin/v1/policy/check`: would this user on this host get a seat
/// of this product now?
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyCheckRequest {
    pub product: Product,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub host: String,
}

/// The dry run's answer: granted, or the code and words of the refusal
/// (the policy's rule with its line, or the licence's reason).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PolicyCheck {
    pub granted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    /// The rule that decides, e.g. `reserve 3 for group:cad-core (policy.toml:9)`:
    /// the refusing one, or the reservation a grant draws on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// For people: why, or "a seat would be granted now".
    pub message: String,
    /// Seats licensed now (with overdraft) and in use.
    pub seats: u32,
    pub in_use: u32,
}
