//! How the lease table keeps a lease in memory: compact slots in a slab, with
//! the strings that repeat across leases (product, application, version)
//! shared. A million leases must fit in a few hundred megabytes.

use crate::ids::{ClientId, LeaseId, Product};
use crate::lease::{Holder, Lease};
use crate::listing::{HolderNames, Listed};
use crate::time::Timestamp;
use std::collections::HashSet;
use std::sync::Arc;

/// One lease as stored: about 64 bytes, and its names (shared with the
/// Computers list's copy, which so costs one count per lease, not a copy).
#[derive(Debug)]
pub(crate) struct Slot {
    pub id: LeaseId,
    pub names: Arc<HolderNames>,
    pub granted_at: Timestamp,
    pub renewed_at: Timestamp,
    pub expires_at: Timestamp,
    pub lease_secs: u32,
    /// How far the deadline the store holds is ahead of `expires_at`, in ms
    /// (never behind; see [`crate::table::LeaseTable::renew`]). At most one
    /// lease length, which fits: leases are at most 30 days.
    /// [`UNSTORED`]: a write of this deadline failed, so what the store holds
    /// is unknown and the next renewal writes again.
    pub stored_lead_ms: u32,
}

/// `stored_lead_ms` of a lease whose last deadline write failed.
pub(crate) const UNSTORED: u32 = u32::MAX;

impl Slot {
    /// Its holder should have renewed it by now, and some grace after.
    pub fn missed_renewal(&self, now: Timestamp) -> bool {
        let renew_after_ms = i64::from(crate::lease::renew_after_secs(self.lease_secs)) * 1000;
        now.0 >= self.renewed_at.0 + renew_after_ms + crate::table::STALE_GRACE_MS
    }

    pub fn to_lease(&self) -> Lease {
        Lease {
            id: self.id,
            product: Product(self.names.product.to_string()),
            holder: Holder {
                client_id: ClientId(self.names.client_id().to_owned()),
                user: self.names.user().to_owned(),
                host: self.names.host().to_owned(),
                app_name: self.names.app_name.to_string(),
                app_version: self.names.app_version.to_string(),
                address: self.names.address().to_owned(),
                computer: self.names.computer,
            },
            granted_at: self.granted_at,
            renewed_at: self.renewed_at,
            expires_at: self.expires_at,
            lease_secs: self.lease_secs,
            overdraft: self.names.overdraft,
            units: u32::from(self.names.units),
        }
    }

    fn to_listed(&self) -> Listed {
        Listed {
            id: self.id,
            names: Arc::clone(&self.names),
            granted_at: self.granted_at,
            renewed_at: self.renewed_at,
            expires_at: self.expires_at,
        }
    }

    /// The deadline the store holds for this lease.
    pub fn stored_until(&self) -> Timestamp {
        if self.stored_lead_ms == UNSTORED {
            return Timestamp(i64::MIN);
        }
        self.expires_at.plus_millis(i64::from(self.stored_lead_ms))
    }

    pub fn is_alive(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }
}

/// Shares one allocation among equal strings that recur in many leases.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    strings: HashSet<Arc<str>>,
}

impl Interner {
    pub fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(shared) = self.strings.get(s) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(s);
        self.strings.insert(shared.clone());
        shared
    }

    /// Forgets strings no lease uses any more.
    pub fn sweep(&mut self) {
        self.strings.retain(|s| Arc::strong_count(s) > 1);
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }
}

/// Slots by index; freed indexes are reused.
#[derive(Debug, Default)]
pub(crate) struct Slab {
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
    len: usize,
}

impl Slab {
    pub fn with_capacity(n: usize) -> Self {
        Self {
            slots: Vec::with_capacity(n),
            ..Self::default()
        }
    }

    pub fn insert(&mut self, slot: Slot) -> u32 {
        self.len += 1;
        if let Some(i) = self.free.pop() {
            self.slots[i as usize] = Some(slot);
            return i;
        }
        self.slots.push(Some(slot));
        u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
    }

    pub fn remove(&mut self, i: u32) -> Option<Slot> {
        let slot = self.slots.get_mut(i as usize)?.take()?;
        self.free.push(i);
        self.len -= 1;
        Some(slot)
    }

    pub fn get(&self, i: u32) -> Option<&Slot> {
        self.slots.get(i as usize)?.as_ref()
    }

    pub fn get_mut(&mut self, i: u32) -> Option<&mut Slot> {
        self.slots.get_mut(i as usize)?.as_mut()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter().flatten()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Copies up to `max` leases from slot index `start` on; the index to go
    /// on from, or `None` at the end.
    pub fn list_from(&self, start: usize, max: usize, out: &mut Vec<Listed>) -> Option<usize> {
        let end = start.saturating_add(max).min(self.slots.len());
        for slot in self.slots.get(start..end)?.iter().flatten() {
            out.push(slot.to_listed());
        }
        (end < self.slots.len()).then_some(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_stays_compact() {
        assert!(
            std::mem::size_of::<Option<Slot>>() <= 64,
            "{}",
            std::mem::size_of::<Option<Slot>>()
        );
    }

    #[test]
    fn interner_shares_and_sweeps() {
        let mut i = Interner::default();
        let a = i.get("cad");
        let b = i.get("cad");
        assert!(Arc::ptr_eq(&a, &b));
        drop((a, b));
        i.get("viewer");
        i.sweep();
        assert_eq!(i.len(), 0);
    }

    #[test]
    fn slab_reuses_freed_slots() {
        let mut slab = Slab::default();
        let slot = |n: u8| Slot {
            id: LeaseId(uuid::Uuid::from_bytes([n; 16])),
            names: Arc::new(HolderNames::new(
                Arc::from("p"),
                Arc::from("a"),
                Arc::from("v"),
                ["c", "u", "h", "x"],
            )),
            granted_at: Timestamp(0),
            renewed_at: Timestamp(0),
            expires_at: Timestamp(1),
            lease_secs: 1,
            stored_lead_ms: 0,
        };
        let a = slab.insert(slot(1));
        let b = slab.insert(slot(2));
        assert_eq!(slab.remove(a).map(|s| s.id.0.as_bytes()[0]), Some(1));
        assert!(slab.remove(a).is_none());
        assert_eq!(slab.insert(slot(3)), a);
        assert_eq!(slab.len(), 2);
        assert_eq!(slab.get(b).map(|s| s.id.0.as_bytes()[0]), Some(2));
    }
}
