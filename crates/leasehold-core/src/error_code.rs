//! Every stable error code, defined once. The server's answers, the SDK, the
//! CLI, the OpenAPI document (and from it the UI's TypeScript union) and the
//! README's table all come from this list; a test checks the README.

use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $status:literal, $meaning:literal; )*) => {
        /// A stable, machine-readable error code (snake_case on the wire).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in the order of the README's table.
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant),*];

            /// The code as sent on the wire.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name,)* }
            }

            /// The HTTP status an answer with this code has.
            #[must_use]
            pub fn http_status(self) -> u16 {
                match self { $(Self::$variant => $status,)* }
            }

            /// What it means, in a few words (the OpenAPI description).
            #[must_use]
            pub fn meaning(self) -> &'static str {
                match self { $(Self::$variant => $meaning,)* }
            }
        }
    };
}

error_codes! {
    NoSeatFree = "no_seat_free", 409, "every seat of the product is in use; retry after retryAfterSecs";
    ExcludedByPolicy = "excluded_by_policy", 409, "the seat policy does not let this user or host use the product (an exclude entry, or not on its include list)";
    UserLimitReached = "user_limit_reached", 409, "the user, host or group holds as many seats of the product as the seat policy allows (a max rule)";
    SeatsReserved = "seats_reserved", 409, "the free seats of the product are reserved for others by the seat policy; retry later";
    BorrowNotAllowed = "borrow_not_allowed", 409, "the product's licence allows no borrowing";
    AlreadyBorrowed = "already_borrowed", 409, "this user on this computer borrows a seat of the product already: give it back first";
    BorrowTooLong = "borrow_too_long", 422, "more hours asked than the licence lets a seat be borrowed for (the message gives the most)";
    NoBorrowableSeat = "no_borrowable_seat", 409, "the seats that may be lent out are all borrowed (or kept by the seat policy's keep_unborrowed); retry when one is returned";
    NoFeatureSeatFree = "no_feature_seat_free", 409, "every seat of the feature is held under other leases; retry when one is released";
    FeatureNotLicensed = "feature_not_licensed", 404, "no licence code of the product counting now gives the feature";
    TokensExhausted = "tokens_exhausted", 409, "the product's consumption tokens for the period are spent (and its token overdraft, if any); the message says when they are given again";
    TokensNotLicensed = "tokens_not_licensed", 404, "no licence code of the product counting now gives consumption tokens";
    IdempotencyKeyReused = "idempotency_key_reused", 422, "the idempotency key was used for another spend (another amount or product); send a new key for a new spend";
    NotAUnitPool = "not_a_unit_pool", 409, "units were asked of a product licensed by seats: check it out without units";
    TooManyUnits = "too_many_units", 409, "more units asked than the product's pool has in all (the message gives how many)";
    NotANamedUser = "not_a_named_user", 409, "the product's seats belong to users the administrator names, and this user is not one of them";
    NamedSeatInUse = "named_seat_in_use", 409, "the named user holds the product's seat on another computer already; release it there first";
    NamedSeatsFull = "named_seats_full", 409, "every seat of the product is named for a user (or a seat freed from one is in its cool-down until the time the message gives)";
    ProductNotNamed = "product_not_named", 409, "no licence code of the product has named users: anyone may use its seats";
    NoLicenseForProduct = "no_license_for_product", 404, "no license code names the product";
    NoValidLicense = "no_valid_license", 409, "the product's codes are expired or not yet valid";
    ClockSetBack = "clock_set_back", 409, "this computer's clock is set back: the product's codes with dates do not count until it is right";
    NeedsActivation = "needs_activation", 409, "the product's codes count only once activated on this server (or were activated on another computer)";
    LeaseNotFound = "lease_not_found", 404, "the lease is not known (check out again)";
    TicketNotFound = "ticket_not_found", 404, "the ticket is not in the queue (it was dropped after its client stopped asking, removed by the admin, or its seat went unclaimed): check out again";
    QueueNotAllowed = "queue_not_allowed", 409, "every seat is in use and the product's licence does not allow waiting for one";
    QueueFull = "queue_full", 503, "the server's queue holds as many waiting clients as it keeps; retry later";
    LeaseReleased = "lease_released", 410, "the lease was released (check out again)";
    LeaseExpired = "lease_expired", 410, "the lease expired before it was renewed (check out again)";
    LeaseDisconnected = "lease_disconnected", 410, "an administrator ended the lease (check out again)";
    OverSubscribed = "over_subscribed", 409, "not renewed: more seats in use than licensed now; the lease ends at expiresAt";
    NotALicenseCode = "not_a_license_code", 422, "the text is not a license code";
    LicenseChecksum = "license_checksum", 422, "a typo in the group the message names";
    LicenseCorrupt = "license_corrupt", 422, "groups missing, repeated or out of order";
    LicenseUnsupportedVersion = "license_unsupported_version", 422, "a newer code format than this server reads";
    BadSignature = "bad_signature", 422, "the code was altered after it was issued";
    UntrustedVendor = "untrusted_vendor", 422, "the code is signed by a vendor key this server does not trust";
    LicenseExpired = "license_expired", 422, "the code's validity ended";
    LicenseNotYetValid = "license_not_yet_valid", 422, "the code's validity has not started (standalone licenses)";
    InvalidLicenseTerms = "invalid_license_terms", 422, "the code's terms break a rule";
    InvalidAlertSettings = "invalid_alert_settings", 422, "the alert settings name a mail relay, address or webhook URL that cannot be used: the message names the field and why";
    InvalidPolicy = "invalid_policy", 422, "the seat policy (policy.toml) has a mistake: the message names the line and what is wrong; the policy before stays in force";
    BadKeyFile = "bad_key_file", 422, "a vendor key file cannot be read (vendor tools)";
    NoRandomness = "no_randomness", 422, "the system gave no randomness for a new key (vendor tools)";
    BadActivation = "bad_activation", 422, "an activation request, response or deactivation proof cannot be read (a typo in the group named, or cut off)";
    ActivationMismatch = "activation_mismatch", 422, "the activation response is for another server or another licence";
    ActivationLimitReached = "activation_limit_reached", 409, "the licence is activated on as many servers as its code allows; deactivate it on one first";
    ReportRefused = "report_refused", 422, "the usage report does not check against the vendor's key (signature, server or event chain: the message says which)";
    AuthorityUnreachable = "authority_unreachable", 502, "the activation authority could not be reached or did not answer as one";
    ActivationNotNeeded = "activation_not_needed", 409, "the licence needs no activation: it counts on any server as it is";
    NotActivatedHere = "not_activated_here", 409, "the licence is not activated on this server: there is nothing to deactivate";
    NoDeactivationProof = "no_deactivation_proof", 409, "the licence was not deactivated on this server since it was last activated here: there is no proof to show";
    NoAuthoritySet = "no_authority_set", 409, "no activation authority is set on this server (nor named in the call): set one, or use the offline exchange";
    LicenseAlreadyAdded = "license_already_added", 409, "the code is already on this server";
    LicenseNotFound = "license_not_found", 404, "no code with that id is on this server";
    ClientNotFound = "client_not_found", 404, "no computer with that id holds a seat";
    NotFound = "not_found", 404, "no such route";
    BadPublicKey = "bad_public_key", 422, "the text is not a vendor public key";
    TrustIsBuiltIn = "trust_is_built_in", 409, "this build trusts only its built-in vendor keys";
    BackupInProgress = "backup_in_progress", 409, "a backup is being made already; one at a time";
    Unauthorized = "unauthorized", 401, "admin call without a valid token or session (sign in again)";
    Forbidden = "forbidden", 403, "the account's role does not allow the action (the message says which role it needs)";
    SignInFailed = "sign_in_failed", 401, "the account name or password is wrong";
    TooManySignIns = "too_many_sign_ins", 429, "too many wrong passwords for the account: wait the seconds the message gives";
    PasswordConfirmationRequired = "password_confirmation_required", 403, "the session gave its password more than 15 minutes ago: give it again (POST /admin/v1/session/confirm) to make accounts, change roles, set another's password or make tokens";
    AccountNotFound = "account_not_found", 404, "no admin account with that name (or no token with that id)";
    AccountExists = "account_exists", 409, "an admin account with that name exists already";
    AccountLimitReached = "account_limit_reached", 409, "the server has 256 admin accounts, or the account 32 tokens, already: remove one first";
    LocalAdminAccount = "local_admin_account", 409, "the data directory's token signs in as this account: it keeps the admin role and cannot be removed";
    AdminRemoteDisabled = "admin_remote_disabled", 403, "admin call from another machine without --admin-remote";
    TlsRequired = "tls_required", 403, "an admin call from another computer over plain HTTP: use https:// on the same port";
    HostNotAllowed = "host_not_allowed", 403, "admin call naming the server by a host name it does not know (DNS rebinding); see --allow-host";
    MethodNotAllowed = "method_not_allowed", 405, "the route exists but not with this method";
    UriTooLong = "uri_too_long", 414, "the address (path and query) is over 8 KiB";
    HeadersTooLarge = "headers_too_large", 431, "the request headers are over 32 KiB";
    ProtocolMismatch = "protocol_mismatch", 400, "the application's Leasehold client speaks an older protocol than the server; update the application";
    BadRequest = "bad_request", 400, "malformed JSON, wrong types, bad path or query";
    InvalidField = "invalid_field", 400, "a field's value is refused (empty, too long, control or invisible characters)";
    PayloadTooLarge = "payload_too_large", 413, "the request body is over the limit";
    RequestTimeout = "request_timeout", 408, "the request (its body included) took over 30 s to arrive and be answered";
    StorageFull = "storage_full", 503, "the disk holding the data directory is full";
    StorageError = "storage_error", 503, "the store failed; see the server log";
    StorageClosed = "storage_closed", 503, "the server is stopping";
    StorageLocked = "storage_locked", 409, "another server has the data directory open (at start)";
    StorageNewerSchema = "storage_newer_schema", 409, "a newer Leasehold wrote the data directory (at start)";
    BindFailed = "bind_failed", 500, "the listen address cannot be used (at start)";
    TlsSetupFailed = "tls_setup_failed", 500, "the TLS certificate or key cannot be used (at start): the message names the file";
    Internal = "internal", 500, "an internal error; see the server log";
}

impl ErrorCode {
    /// The code named `s`, if it is one.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<ErrorCode> for String {
    fn from(code: ErrorCode) -> Self {
        code.as_str().to_owned()
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_is_spelled_the_same_on_the_wire_and_parses_back() {
        let mut seen = std::collections::BTreeSet::new();
        for &code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::from(code.as_str())
            );
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!((400..600).contains(&code.http_status()), "{code}");
        }
        assert_eq!(ErrorCode::parse("nope"), None);
    }
}
