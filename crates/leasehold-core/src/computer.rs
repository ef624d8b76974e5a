//! A computer as its seats know it: what tells two computers apart that
//! present the same client id (a cloned virtual machine keeps its machine
//! id), and one computer coming back after a network blip or a crash of its
//! application from another.
//!
//! The SDK sends four parts with every checkout, each as a 4-byte hash: the
//! host name, the network cards, the processor and the boot id. The rule is
//! k-of-n, like a server's activation ([`crate::license::fingerprint`]): a
//! checkout with the same client id, user and product is the same seat when
//! more than half of the parts the lease recorded are equal now. Then:
//!
//! - the application restarted after a crash: every part equal, same seat;
//! - the computer restarted: a new boot id, three of four, same seat;
//! - a network card plugged in: three of four, same seat;
//! - a clone of the computer: a new boot id and new network cards (a
//!   hypervisor gives a clone its own), at most two of four, its own seat.
//!
//! The machine id is not a part: by default it *is* the client id, so it
//! would always be equal. A checkout without parts (a tool, or a lease
//! stored before schema 3) matches only another without parts.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::fmt;

const PARTS: usize = 4;

/// What [`Computer::parse`] reads (ECMA-262, for the OpenAPI document):
/// four fields of 8 hex digits or empty, joined by `.`.
pub const PATTERN: &str = "^(?:[0-9A-Fa-f]{8})?(?:\\.(?:[0-9A-Fa-f]{8})?){3}$";

/// The hashed parts; 0 for a part the computer did not report.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Computer([u32; PARTS]);

impl fmt::Debug for Computer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Computer({})", self.to_text())
    }
}

impl Computer {
    /// No parts: an SDK that sends none.
    pub const UNKNOWN: Self = Self([0; PARTS]);

    /// The parts as the operating system reports them (empty: not known).
    #[must_use]
    pub fn of(host: &str, network_cards: &str, processor: &str, boot_id: &str) -> Self {
        let hash = |tag: &[u8], value: &str| -> u32 {
            let value = value.trim();
            if value.is_empty() {
                return 0;
            }
            let digest = Sha256::new()
                .chain_update(b"leasehold-computer-v1\n")
                .chain_update(tag)
                .chain_update(b"\n")
                .chain_update(value.as_bytes())
                .finalize();
            // Never 0, which means "not reported".
            u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]).max(1)
        };
        Self([
            hash(b"host", host),
            hash(b"nics", network_cards),
            hash(b"cpu", processor),
            hash(b"boot", boot_id),
        ])
    }

    #[must_use]
    pub fn is_unknown(&self) -> bool {
        self.0 == [0; PARTS]
    }

    /// Whether `now` is the computer this was recorded on: more than half of
    /// the recorded parts are equal (a recorded part not reported now counts
    /// as changed). Without parts, only another without parts: a checkout
    /// that sends none (a tool, a lease from before schema 3) is never a
    /// seat every clone can share.
    #[must_use]
    pub fn is_same(&self, now: &Self) -> bool {
        if self.is_unknown() || now.is_unknown() {
            return self.is_unknown() && now.is_unknown();
        }
        let recorded = self.0.iter().filter(|&&p| p != 0).count();
        let equal = self
            .0
            .iter()
            .zip(now.0)
            .filter(|&(&was, is)| was != 0 && was == is)
            .count();
        equal * 2 > recorded
    }

    /// As sent on the wire: four fields of 8 hex digits joined by `.`, an
    /// empty field for a part not reported.
    #[must_use]
    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(|&p| {
                if p == 0 {
                    String::new()
                } else {
                    format!("{p:08x}")
                }
            })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// Reads [`Self::to_text`]'s form.
    ///
    /// # Errors
    /// A sentence saying what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let fields: Vec<&str> = text.split('.').collect();
        if fields.len() != PARTS {
            return Err(format!(
                "has {} fields; {PARTS} joined by `.` are expected",
                fields.len()
            ));
        }
        let mut parts = [0u32; PARTS];
        for (part, field) in parts.iter_mut().zip(fields) {
            if field.is_empty() {
                continue;
            }
            if field.len() != 8 || !field.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("field `{field}` is not 8 hex digits"));
            }
            *part = u32::from_str_radix(field, 16)
                .map_err(|_| format!("field `{field}` is not 8 hex digits"))?;
        }
        Ok(Self(parts))
    }
}

impl Serialize for Computer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for Computer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pc(host: &str, nics: &str, boot: &str) -> Computer {
        Computer::of(host, nics, "Xeon x8", boot)
    }

    #[test]
    fn a_restart_a_reboot_or_a_new_card_is_the_same_computer_and_a_clone_is_not() {
        let home = pc("ws-1", "aa:bb", "boot-1");
        assert!(
            home.is_same(&pc("ws-1", "aa:bb", "boot-1")),
            "the app restarted"
        );
        assert!(
            home.is_same(&pc("ws-1", "aa:bb", "boot-2")),
            "the computer restarted"
        );
        assert!(
            home.is_same(&pc("ws-1", "aa:bb,cc:dd", "boot-1")),
            "a card plugged in"
        );
        assert!(
            !home.is_same(&pc("ws-1", "ee:ff", "boot-9")),
            "a clone, same host name"
        );
        assert!(
            !home.is_same(&pc("ws-2", "ee:ff", "boot-9")),
            "a renamed clone"
        );
        // A part recorded but not reported now counts as changed.
        assert!(!home.is_same(&Computer::of("ws-1", "", "Xeon x8", "")));
        // Without parts: only the same without parts.
        assert!(!home.is_same(&Computer::UNKNOWN));
        assert!(!Computer::UNKNOWN.is_same(&home));
        assert!(Computer::UNKNOWN.is_same(&Computer::UNKNOWN));
    }

    #[test]
    fn the_text_form_round_trips_and_refuses_junk() {
        let c = Computer::of("ws-1", "", "Xeon", "b");
        let text = c.to_text();
        assert_eq!(text.split('.').count(), 4);
        assert_eq!(text.split('.').nth(1), Some(""));
        assert_eq!(Computer::parse(&text), Ok(c));
        assert_eq!(Computer::parse("..."), Ok(Computer::UNKNOWN));
        for bad in ["", "a.b.c", "0000000g...", "123...", "1.2.3.4.5"] {
            assert!(Computer::parse(bad).is_err(), "{bad}");
        }
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Computer>(&json).unwrap(), c);
    }
}
