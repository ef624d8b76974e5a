//! Who is asking for a seat: this machine's id, the login name and the host
//! name, the defaults a checkout sends when the application overrides none.

use leasehold_core::ClientId;
use leasehold_core::computer::Computer;
use sha2::{Digest, Sha256};

/// Why part of this machine's identity could not be found.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The operating system's machine id could not be read.
    #[error("cannot read this machine's id ({detail}); pass a client id explicitly")]
    MachineId { detail: String },
    /// No login name in the environment, nor from the operating system.
    #[error("cannot find the login name ({detail}); pass a user name explicitly")]
    User { detail: String },
    /// The host name could not be read.
    #[error("cannot read the host name ({detail}); pass a host name explicitly")]
    Host { detail: String },
}

/// The identity a checkout carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// A stable id of this computer.
    pub client_id: ClientId,
    /// Who uses the seat.
    pub user: String,
    /// This computer's name, shown to the admin.
    pub host: String,
    /// This computer's parts (host name, network cards, processor, boot id,
    /// hashed): the server tells computers that share a client id (a cloned
    /// machine image) apart by them, and gives this computer its own seat
    /// back after a crash or a network blip.
    pub computer: Computer,
}

impl Identity {
    /// This machine's identity from the operating system.
    ///
    /// # Errors
    ///
    /// [`IdentityError`] naming the part that could not be found.
    pub fn of_this_machine() -> Result<Self, IdentityError> {
        Ok(Self {
            client_id: machine_id()?,
            user: login_name()?,
            host: host_name()?,
            computer: leasehold_host::seat_computer(),
        })
    }
}

/// This machine's id as Leasehold uses it: the operating system's machine id
/// (via the `machine-uid` crate) hashed with a Leasehold-specific prefix, so
/// the raw id, which the OS asks to keep private, never leaves the machine.
/// Stable across runs and reboots; 32 hex digits.
///
/// # Errors
///
/// [`IdentityError::MachineId`] if the OS machine id cannot be read.
pub fn machine_id() -> Result<ClientId, IdentityError> {
    let raw = machine_uid::get().map_err(|e| IdentityError::MachineId {
        detail: e.to_string(),
    })?;
    derive_machine_id(&raw)
}

/// The Leasehold machine id for a raw OS machine id.
fn derive_machine_id(raw: &str) -> Result<ClientId, IdentityError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(IdentityError::MachineId {
            detail: "the operating system returned an empty machine id".into(),
        });
    }
    let digest = Sha256::new()
        .chain_update(b"leasehold-machine-id-v1\n")
        .chain_update(raw.as_bytes())
        .finalize();
    Ok(ClientId(hex::encode(&digest[..16])))
}

/// The login name: `USER`, `USERNAME` or `LOGNAME` from the environment,
/// else the operating system's account name.
///
/// # Errors
///
/// [`IdentityError::User`] if neither gives a name.
pub fn login_name() -> Result<String, IdentityError> {
    for var in ["USER", "USERNAME", "LOGNAME"] {
        if let Ok(name) = std::env::var(var) {
            let name = name.trim();
            if !name.is_empty() {
                return Ok(name.to_owned());
            }
        }
    }
    whoami::username().map_err(|e| IdentityError::User {
        detail: e.to_string(),
    })
}

/// This computer's host name.
///
/// # Errors
///
/// [`IdentityError::Host`] if the OS does not give one.
pub fn host_name() -> Result<String, IdentityError> {
    whoami::hostname().map_err(|e| IdentityError::Host {
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_id_is_hashed_stable_and_hides_the_raw_id() {
        let a = derive_machine_id("0123456789abcdef0123456789abcdef\n").unwrap();
        let b = derive_machine_id("0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str().len(), 32);
        assert!(!a.as_str().contains("0123456789abcdef"));
        assert_ne!(a, derive_machine_id("another").unwrap());
        assert!(derive_machine_id("  ").is_err());
    }

    #[test]
    fn this_machine_has_an_identity() {
        // Every CI and developer machine here has a machine id and a host name.
        let me = Identity::of_this_machine().unwrap();
        assert!(!me.host.is_empty());
        assert_eq!(me.client_id, machine_id().unwrap());
    }
}
