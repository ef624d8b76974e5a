//! What a computer looks like, without saying who it is: a few parts (the
//! machine id, the host name, the network cards, the processor, and the
//! firmware's system UUID where it can be read), each kept only as an 8-byte
//! hash. An activation records the server's fingerprint; the server compares
//! its own with it at every start.
//!
//! The rule: a computer is the one a fingerprint was recorded on when more
//! than half of the recorded parts are equal on it, and its system board id
//! (when recorded) is; a recorded part it does not report (no machine id in
//! a container) counts as changed. One part changing (a new network card, a
//! renamed host) keeps an activation; a data directory copied to another
//! computer changes most; a cloned virtual machine gets a new system UUID
//! from its hypervisor (a real computer keeps it until its mainboard
//! changes, which is a new computer).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Which part of the computer a hash stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Part {
    MachineId,
    HostName,
    NetworkCards,
    Processor,
    /// The firmware's system UUID (SMBIOS): a hypervisor gives a cloned
    /// virtual machine a new one, a real computer keeps it until its
    /// mainboard changes. Read where the system lets the server read it.
    BoardId,
}

impl Part {
    fn tag(self) -> &'static [u8] {
        match self {
            Self::MachineId => b"machine-id",
            Self::HostName => b"host-name",
            Self::NetworkCards => b"network-cards",
            Self::Processor => b"processor",
            Self::BoardId => b"board-id",
        }
    }

    /// How a person calls it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::MachineId => "machine id",
            Self::HostName => "host name",
            Self::NetworkCards => "network cards",
            Self::Processor => "processor",
            Self::BoardId => "system board id",
        }
    }
}

/// Most parts a fingerprint may have (every [`Part`] once).
pub const MAX_PARTS: usize = 5;

/// A computer's parts, hashed; at most one per [`Part`], in `Part` order.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    parts: Vec<(Part, [u8; 8])>,
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_map();
        for (part, hash) in &self.parts {
            list.entry(&part.name(), &crate::wire::proof::to_hex(hash));
        }
        list.finish()
    }
}

/// How a computer compares with a recorded fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// Recorded parts that are equal.
    pub same: Vec<Part>,
    /// Recorded parts that differ or are missing now.
    pub changed: Vec<Part>,
}

impl Comparison {
    /// More than half of the recorded parts are equal, and the system board
    /// id, when recorded, is one of them.
    #[must_use]
    pub fn is_same_computer(&self) -> bool {
        !self.changed.contains(&Part::BoardId)
            && self.same.len() * 2 > self.same.len() + self.changed.len()
    }
}

impl Fingerprint {
    /// A fingerprint of these parts' values (empty values are left out; a
    /// part named twice keeps its first value).
    #[must_use]
    pub fn of<'a>(values: impl IntoIterator<Item = (Part, &'a str)>) -> Self {
        let mut parts: Vec<(Part, [u8; 8])> = Vec::new();
        for (part, value) in values {
            let value = value.trim();
            if value.is_empty() || parts.iter().any(|(p, _)| *p == part) {
                continue;
            }
            let digest = Sha256::new()
                .chain_update(b"leasehold-fingerprint-v1\0")
                .chain_update(part.tag())
                .chain_update(b"\0")
                .chain_update(value.as_bytes())
                .finalize();
            let mut hash = [0u8; 8];
            hash.copy_from_slice(&digest[..8]);
            parts.push((part, hash));
        }
        parts.sort_by_key(|(p, _)| *p);
        Self { parts }
    }

    /// The parts as stored (for the wire forms).
    pub(crate) fn from_parts(mut parts: Vec<(Part, [u8; 8])>) -> Option<Self> {
        parts.sort_by_key(|(p, _)| *p);
        let unique = parts.windows(2).all(|w| w[0].0 != w[1].0);
        (unique && parts.len() <= MAX_PARTS).then_some(Self { parts })
    }

    pub(crate) fn parts(&self) -> &[(Part, [u8; 8])] {
        &self.parts
    }

    /// How the computer with fingerprint `now` compares with this recorded
    /// one: which recorded parts are equal, and which differ or are missing.
    #[must_use]
    pub fn compare(&self, now: &Self) -> Comparison {
        let mut same = Vec::new();
        let mut changed = Vec::new();
        for (part, hash) in &self.parts {
            if now.parts.iter().any(|(p, h)| p == part && h == hash) {
                same.push(*part);
            } else {
                changed.push(*part);
            }
        }
        Comparison { same, changed }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn computer(machine: &str, host: &str, nics: &str, cpu: &str) -> Fingerprint {
        Fingerprint::of([
            (Part::MachineId, machine),
            (Part::HostName, host),
            (Part::NetworkCards, nics),
            (Part::Processor, cpu),
        ])
    }

    #[test]
    fn one_part_changing_is_the_same_computer_most_changing_is_another() {
        let server = computer("m-1", "lic01", "aa:bb", "Xeon 8");
        assert!(server.compare(&server).is_same_computer());
        let new_card = computer("m-1", "lic01", "cc:dd", "Xeon 8");
        let c = server.compare(&new_card);
        assert_eq!(c.changed, vec![Part::NetworkCards]);
        assert!(c.is_same_computer());
        // The data directory copied to another computer of the same model.
        let elsewhere = computer("m-2", "lic02", "ee:ff", "Xeon 8");
        assert!(!server.compare(&elsewhere).is_same_computer());
        // Two of four changed is not "more than half the same".
        let two = computer("m-1", "lic02", "ee:ff", "Xeon 8");
        assert!(!server.compare(&two).is_same_computer());
    }

    #[test]
    fn with_the_board_id_a_virtual_machine_clone_is_another_computer() {
        let with_board = |nics: &str, board: &str| {
            Fingerprint::of([
                (Part::MachineId, "m-1"),
                (Part::HostName, "lic01"),
                (Part::NetworkCards, nics),
                (Part::Processor, "Xeon 8"),
                (Part::BoardId, board),
            ])
        };
        let server = with_board("aa:bb", "uuid-1");
        // A new network card: four of five, the same computer.
        assert!(
            server
                .compare(&with_board("cc:dd", "uuid-1"))
                .is_same_computer()
        );
        // A clone: the hypervisor gave it a new MAC address and system UUID.
        let clone = server.compare(&with_board("cc:dd", "uuid-2"));
        assert!(!clone.is_same_computer());
        assert_eq!(clone.changed, vec![Part::NetworkCards, Part::BoardId]);
        // Without the board id (the server could not read it), the clone
        // is three of four: what the README says cannot be told apart.
        let four = computer("m-1", "lic01", "aa:bb", "Xeon 8");
        assert!(
            four.compare(&computer("m-1", "lic01", "cc:dd", "Xeon 8"))
                .is_same_computer()
        );
    }

    #[test]
    fn a_recorded_part_missing_now_counts_as_changed() {
        let full = computer("m-1", "lic01", "aa:bb", "Xeon 8");
        let no_nics = computer("m-1", "lic01", "", "Xeon 8");
        let c = full.compare(&no_nics);
        assert_eq!(c.changed, vec![Part::NetworkCards]);
        assert!(c.is_same_computer());
        assert!(!full.compare(&Fingerprint::default()).is_same_computer());
        // A copied data directory in a container named like the server: only
        // the host name and the processor match, two of four.
        let container = computer("", "lic01", "", "Xeon 8");
        assert!(!full.compare(&container).is_same_computer());
        // Parts the computer has that were not recorded do not help.
        let recorded = computer("", "lic01", "", "Xeon 8");
        let more = computer("m-9", "lic01", "zz", "Xeon 8");
        assert!(recorded.compare(&more).is_same_computer());
    }

    #[test]
    fn hashes_hide_the_values_and_depend_on_the_part() {
        let a = Fingerprint::of([(Part::MachineId, "abc")]);
        let b = Fingerprint::of([(Part::HostName, "abc")]);
        assert_ne!(a.parts()[0].1, b.parts()[0].1);
        assert!(!format!("{a:?}").contains("abc"));
        assert_eq!(Fingerprint::of([(Part::MachineId, " abc ")]), a);
    }

    #[test]
    fn stored_parts_are_checked() {
        let twice = vec![(Part::MachineId, [0; 8]), (Part::MachineId, [1; 8])];
        assert!(Fingerprint::from_parts(twice).is_none());
        let unsorted = vec![(Part::Processor, [0; 8]), (Part::MachineId, [1; 8])];
        let f = Fingerprint::from_parts(unsorted).unwrap();
        assert_eq!(f.parts()[0].0, Part::MachineId);
    }
}
