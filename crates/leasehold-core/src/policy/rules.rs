//! A product's rules as the policy keeps them for deciding: subjects
//! resolved, texts for people made once (a decision copies none).

use super::names::Subject;
use std::fmt;
use std::sync::Arc;

/// A rule of the file as an admin reads it: its line and its text with the
/// file and line, e.g. `reserve 3 for group:cad-core (policy.toml:9)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRef {
    /// 1-based line of `policy.toml`.
    pub line: u32,
    /// The rule as written, with where: made once when the file is read, so
    /// handing it out costs a reference count.
    pub text: Arc<str>,
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// One `include` or `exclude` entry, or the subject of a `max` or `reserve`.
#[derive(Clone, Debug)]
pub(super) struct Target {
    pub(super) subject: Subject,
    /// `kind:name` as written (the kind in lower case).
    pub(super) written: String,
    pub(super) line: u32,
}

impl Target {
    /// `group cad-core`, `user bob`: the subject in a sentence.
    pub(super) fn for_people(&self) -> String {
        self.written.replacen(':', " ", 1)
    }
}

/// An `exclude` entry.
#[derive(Clone, Debug)]
pub(super) struct Exclude {
    pub(super) target: Target,
    pub(super) rule: RuleRef,
}

/// The `include` list: only those it names may use the product.
#[derive(Clone, Debug)]
pub(super) struct Include {
    pub(super) targets: Vec<Target>,
    pub(super) rule: RuleRef,
}

/// A `max` or `reserve` rule: `seats` for `target`.
#[derive(Clone, Debug)]
pub(super) struct Limit {
    pub(super) target: Target,
    pub(super) seats: u32,
    pub(super) rule: RuleRef,
}

/// Everything the policy says about one product.
#[derive(Clone, Debug, Default)]
pub(super) struct ProductRules {
    /// Where `[products.NAME]` is.
    pub(super) line: u32,
    pub(super) exclude: Vec<Exclude>,
    pub(super) include: Option<Include>,
    pub(super) max: Vec<Limit>,
    /// In file order: when they ask for more seats than are licensed, the
    /// earlier ones are honoured first.
    pub(super) reserve: Vec<Limit>,
    pub(super) keep_unborrowed: u32,
}

impl ProductRules {
    /// Whether any rule can deny a checkout (else the decision is a grant
    /// without looking at the requester).
    pub(super) fn admits_all(&self) -> bool {
        self.exclude.is_empty()
            && self.include.is_none()
            && self.max.is_empty()
            && self.reserve.is_empty()
    }
}

/// `text (file:line)` as shared text.
pub(super) fn rule_ref(text: &str, file: &str, line: u32) -> RuleRef {
    RuleRef {
        line,
        text: Arc::from(format!("{text} ({file}:{line})")),
    }
}

/// The include list as a rule's text: its first few entries.
pub(super) fn include_text(targets: &[Target]) -> String {
    const SHOWN: usize = 5;
    let mut text = String::from("include [");
    for (i, t) in targets.iter().take(SHOWN).enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(&t.written);
    }
    if targets.len() > SHOWN {
        text.push_str(&format!(", … {} more", targets.len() - SHOWN));
    }
    text.push(']');
    text
}
