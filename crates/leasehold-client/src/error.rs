//! What can go wrong when borrowing a seat, as outcomes an application can act
//! on: "no seat free" is not "server unreachable" is not "lease lost".

use leasehold_core::ErrorCode;
use std::time::Duration;

use leasehold_core::{LeaseId, Product, Timestamp};

/// Why the server no longer holds a lease for us (its answer to a renew).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LeaseEnd {
    /// `lease_not_found`: the server does not know the lease.
    NotFound,
    /// `lease_released`: the lease was released.
    Released,
    /// `lease_expired`: the lease ran out before it was renewed.
    Expired,
    /// `lease_disconnected`: an admin disconnected this computer.
    Disconnected,
}

impl LeaseEnd {
    /// The wire code for this reason.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::NotFound => ErrorCode::LeaseNotFound,
            Self::Released => ErrorCode::LeaseReleased,
            Self::Expired => ErrorCode::LeaseExpired,
            Self::Disconnected => ErrorCode::LeaseDisconnected,
        }
        .as_str()
    }

    /// The reason for a wire code, if it is one of the lease-ending codes.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        match ErrorCode::parse(code)? {
            ErrorCode::LeaseNotFound => Some(Self::NotFound),
            ErrorCode::LeaseReleased => Some(Self::Released),
            ErrorCode::LeaseExpired => Some(Self::Expired),
            ErrorCode::LeaseDisconnected => Some(Self::Disconnected),
            _ => None,
        }
    }
}

impl std::fmt::Display for LeaseEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotFound => "the server does not know the lease",
            Self::Released => "the lease was released",
            Self::Expired => "the lease expired",
            Self::Disconnected => "an administrator disconnected this computer",
        })
    }
}

/// Every failure of the client SDK. [`ClientError::code`] gives a stable
/// machine-readable code (the server's own code where it sent one).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// Every seat of the product is taken; try again after `retry_after`.
    #[error("no seat free for {product}: {in_use} of {seats} seats in use; try again in {} s", retry_after.as_secs())]
    NoSeatFree {
        product: Product,
        seats: u32,
        in_use: u32,
        retry_after: Duration,
    },
    /// The server has no license for the product.
    #[error("no license for {product}: {message}")]
    NoLicense { product: Product, message: String },
    /// The server has licenses for the product, but none is valid now.
    #[error("no valid license for {product}: {message}")]
    NoValidLicense { product: Product, message: String },
    /// The server no longer holds this lease; check out again.
    #[error("lease {lease_id} lost: {reason}")]
    LeaseLost {
        lease_id: LeaseId,
        reason: LeaseEnd,
        message: String,
    },
    /// The license is over-subscribed: the lease was not renewed and ends at
    /// `expires_at` (when the server said).
    #[error("lease {lease_id} not renewed, the license is over-subscribed: {message}")]
    OverSubscribed {
        lease_id: LeaseId,
        expires_at: Option<Timestamp>,
        message: String,
    },
    /// The server could not be reached or did not answer in time.
    #[error("cannot reach the Leasehold server at {server}: {detail}")]
    Unreachable { server: String, detail: String },
    /// An `https://` server whose certificate is not trusted: not the one
    /// pinned by fingerprint (or, without pins, not from a root this system
    /// trusts). Nothing was sent to it.
    #[error(
        "the Leasehold server at {server} was not used: {detail}. Compare the fingerprint `leasehold admin status` shows on the server, and put it in `tls_fingerprints` in the client settings (or give it to the application)"
    )]
    UntrustedCertificate { server: String, detail: String },
    /// A certificate fingerprint that is not one (64 hex digits, with or
    /// without colons).
    #[error("{detail}")]
    InvalidFingerprint { detail: String },
    /// A grant whose signature does not verify against the server's key:
    /// possibly a spoofed server. The grant is not used.
    #[error("the grant from {server} has a bad signature; it was refused")]
    BadGrantSignature { server: String },
    /// The server cannot show, for the product, a licence signed by a vendor
    /// key this application trusts and activated for the key that signs its
    /// grants (a server with a self-made key, or a licence copied to a
    /// second server). Its grants are not used.
    #[error(
        "the Leasehold server at {server} is not trusted for {product}: {reason}. Ask the administrator to add a licence from the vendor and activate it on that server"
    )]
    UntrustedServer {
        server: String,
        product: Product,
        reason: String,
    },
    /// Network mode without a vendor key: the server's licence cannot be
    /// checked, and is never trusted blindly.
    #[error(
        "no vendor key to check the server's licence with: the application builds its vendor's public key in (`ClientBuilder::vendor_key`); the command line takes --vendor-key LHPK-… or LEASEHOLD_VENDOR_KEY"
    )]
    NoVendorKey,
    /// The server speaks another version of the client protocol.
    #[error(
        "the Leasehold server at {server} speaks protocol version {theirs}, and this application version {ours}; update {}",
        if *theirs < *ours { "the server" } else { "the application" }
    )]
    ProtocolVersion {
        server: String,
        theirs: u32,
        ours: u32,
    },
    /// Any other error answer from the server.
    #[error("the server refused ({code}): {message}")]
    Server {
        status: u16,
        code: String,
        message: String,
    },
    /// An answer the client cannot make sense of.
    #[error("unexpected answer from {server}: {detail}")]
    Protocol { server: String, detail: String },
    /// A server address that cannot be used.
    #[error("invalid server address {address:?}: {detail}")]
    InvalidAddress { address: String, detail: String },
    /// No server to ask: the client was built without any address.
    #[error("no Leasehold server configured")]
    NoServer,
    /// This machine's identity (machine id, user, host) could not be found.
    #[error(transparent)]
    Identity(#[from] crate::identity::IdentityError),
    /// Auto mode: no server answered within `waited`, and no address was
    /// configured to fall back on.
    #[error(
        "no Leasehold server found on the network within {} s; check that one runs on this \
         LAN, or give its address (`leasehold client mode network --server HOST:PORT`)",
        waited.as_secs_f32()
    )]
    NoServerFound { waited: Duration },
    /// Standalone mode: the license file cannot be used.
    #[error(transparent)]
    Standalone(#[from] crate::standalone::StandaloneError),
    /// The end user's settings cannot be read.
    #[error(transparent)]
    Settings(#[from] crate::settings::SettingsError),
    /// This computer already holds a loan of the product.
    #[error("this computer already borrows a seat of {product} until {}; give it back first (`leasehold client return {product}`)", until.to_rfc3339())]
    AlreadyBorrowed { product: Product, until: Timestamp },
    /// A borrowed seat cannot be kept on (or taken off) this computer.
    #[error("cannot keep the borrowed seat in {path}: {detail}")]
    LoanStore { path: String, detail: String },
    /// A checkout that waited in the queue gave up (it left the queue).
    #[error("no seat of {product} came within {} s of waiting; left the queue", waited.as_secs())]
    WaitTimedOut { product: Product, waited: Duration },
}

impl ClientError {
    /// A stable machine-readable code: the server's code for its answers,
    /// else one of `unreachable`, `untrusted_certificate`,
    /// `invalid_tls_fingerprint`, `bad_grant_signature`, `untrusted_server`,
    /// `no_vendor_key`, `protocol_version`, `protocol`,
    /// `invalid_address`, `no_server`, `identity`, `no_server_found`, a
    /// [`StandaloneError`](crate::standalone::StandaloneError) code or a
    /// [`SettingsError`](crate::settings::SettingsError) code, or
    /// `wait_timed_out`.
    #[must_use]
    pub fn code(&self) -> &str {
        match self {
            Self::NoSeatFree { .. } => "no_seat_free",
            Self::NoLicense { .. } => "no_license_for_product",
            Self::NoValidLicense { .. } => "no_valid_license",
            Self::LeaseLost { reason, .. } => reason.code(),
            Self::OverSubscribed { .. } => "over_subscribed",
            Self::Unreachable { .. } => "unreachable",
            Self::UntrustedCertificate { .. } => "untrusted_certificate",
            Self::InvalidFingerprint { .. } => "invalid_tls_fingerprint",
            Self::BadGrantSignature { .. } => "bad_grant_signature",
            Self::UntrustedServer { .. } => "untrusted_server",
            Self::NoVendorKey => "no_vendor_key",
            Self::ProtocolVersion { .. } => "protocol_version",
            Self::Server { code, .. } => code,
            Self::Protocol { .. } => "protocol",
            Self::InvalidAddress { .. } => "invalid_address",
            Self::NoServer => "no_server",
            Self::Identity(_) => "identity",
            Self::NoServerFound { .. } => "no_server_found",
            Self::Standalone(e) => e.code(),
            Self::Settings(e) => e.code(),
            Self::WaitTimedOut { .. } => "wait_timed_out",
            Self::LoanStore { .. } => "loan_store",
            Self::AlreadyBorrowed { .. } => ErrorCode::AlreadyBorrowed.as_str(),
        }
    }

    /// True when the server could not be asked at all, so another server (or
    /// a later try) may do better.
    #[must_use]
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. }
                | Self::UntrustedCertificate { .. }
                | Self::NoServerFound { .. }
        )
    }
}
