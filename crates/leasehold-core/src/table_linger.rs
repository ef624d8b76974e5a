//! Linger (`vendor issue --linger-secs S`): a released seat stays kept for
//! its holder for S seconds, so an application that restarts often does not
//! lose its seat to someone else in between. The lease is not ended: its
//! deadline moves to S seconds from the release, no renewal extends it, and
//! the same holder checking out again (from the same computer) gets it back
//! renewed; otherwise it expires as any lease does, and its seat frees then
//! (to the first waiter, if any).

use super::LeaseTable;
use crate::ids::LeaseId;
use crate::lease::Lease;
use crate::time::Timestamp;

/// What releasing a lease did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Release {
    /// Ended: its seat frees once the end is durable (`settle`).
    Ended(Lease),
    /// Kept for its holder until `expires_at` (the store must hear the new
    /// deadline).
    Kept(Lease),
    /// It was not held (released before, kept already, or unknown).
    NotHeld,
}

impl LeaseTable {
    /// Releases a lease at its client's request, keeping its seat for the
    /// holder when a code of the product asks for that.
    pub fn release_at(&mut self, id: LeaseId, now: Timestamp) -> Release {
        if self.lingering.contains(&id) {
            return Release::NotHeld;
        }
        let Some(lease) = self.get(id) else {
            return Release::NotHeld;
        };
        let linger = self.pools.linger_secs(&lease.product, now);
        // A borrowed seat returned early is free at once.
        if linger == 0 || self.is_borrowed(id) {
            return self.release(id).map_or(Release::NotHeld, Release::Ended);
        }
        let until = now.plus_millis(i64::from(linger) * 1000);
        self.move_deadline(id, until);
        self.lingering.insert(id);
        // Kept is not held: its feature seats go back now.
        self.drop_features(id, &lease.product);
        self.get(id).map_or(Release::NotHeld, Release::Kept)
    }

    /// Puts a stored kept lease back as kept (loading after a restart): no
    /// renewal extends it, its holder's checkout gets it back.
    pub fn restore_lingering(&mut self, id: LeaseId) {
        if self.get(id).is_some() {
            self.lingering.insert(id);
        }
    }

    /// Whether the lease is released and kept for its holder.
    #[must_use]
    pub fn is_lingering(&self, id: LeaseId) -> bool {
        self.lingering.contains(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::{LicenseTerms, SeatRules};
    use crate::pool::tests::code;
    use crate::table::CheckoutRequest;

    fn ask(client: &str) -> CheckoutRequest {
        crate::testing::ask("cad", client, "ann")
    }

    fn lingering_table(secs: u32) -> LeaseTable {
        let mut t = LeaseTable::new();
        t.add_license(LicenseTerms {
            seat_rules: SeatRules {
                linger_secs: secs,
                ..SeatRules::default()
            },
            ..code("cad", 1)
        });
        t
    }

    #[test]
    fn a_released_seat_is_kept_for_its_holder_who_gets_it_back() {
        let mut t = lingering_table(30);
        let now = Timestamp(0);
        let a = t.checkout(&ask("pc-a"), now).unwrap();
        let kept = t.release_at(a.lease.id, Timestamp(5_000));
        assert!(matches!(&kept, Release::Kept(l) if l.expires_at == Timestamp(35_000)));
        assert!(t.is_lingering(a.lease.id));
        // Another computer finds no seat; a second release is nothing.
        assert_eq!(
            t.checkout(&ask("pc-b"), Timestamp(6_000))
                .unwrap_err()
                .code(),
            "no_seat_free"
        );
        assert_eq!(t.release_at(a.lease.id, Timestamp(6_000)), Release::NotHeld);
        // Not renewed by a late renewal of the released lease...
        assert_eq!(
            t.renew(a.lease.id, Timestamp(7_000)).unwrap_err().code(),
            "lease_released"
        );
        // ...but the holder checking out again gets it back, whole.
        let back = t.checkout(&ask("pc-a"), Timestamp(20_000)).unwrap();
        assert!(back.reused);
        assert_eq!(back.lease.id, a.lease.id);
        assert_eq!(back.lease.expires_at, Timestamp(80_000));
        assert!(!t.is_lingering(a.lease.id));
    }

    #[test]
    fn a_seat_not_taken_back_frees_when_the_linger_ends() {
        let mut t = lingering_table(30);
        let a = t.checkout(&ask("pc-a"), Timestamp(0)).unwrap();
        t.release_at(a.lease.id, Timestamp(0));
        assert!(t.expire_due(Timestamp(29_999)).is_empty());
        let ended = t.expire_due(Timestamp(30_000));
        assert_eq!(ended.len(), 1);
        t.settle(&ended[0]);
        assert!(!t.is_lingering(a.lease.id));
        t.checkout(&ask("pc-b"), Timestamp(30_000)).unwrap();
    }

    #[test]
    fn without_linger_a_release_ends_the_lease() {
        let mut t = lingering_table(0);
        let a = t.checkout(&ask("pc-a"), Timestamp(0)).unwrap();
        assert!(matches!(
            t.release_at(a.lease.id, Timestamp(0)),
            Release::Ended(_)
        ));
        assert_eq!(t.release_at(a.lease.id, Timestamp(0)), Release::NotHeld);
    }
}
