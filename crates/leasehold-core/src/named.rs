//! Named users (`vendor issue --named-users`): a product's seats belong to
//! users the admin names, and only they may check out. A seat moved from one
//! user to another may move again only after the vendor's cool-down, so
//! seats cannot be rotated through names to act as floating ones.
//!
//! # The rule
//!
//! A product is named while a code counting for it says so. Its users are at
//! most its seats. Each named seat is either never given (the first user it
//! goes to is not a move, so a typo'd name is fixed at once) or was given
//! before. Unassigning a user frees the seat: at once when that user got it
//! fresh, else at `assigned_at + cool-down` (the seat moved to that user, so
//! it may move again only after the cool-down). Assigning takes a fresh seat
//! when one is left, else a freed one whose cool-down is over (a move).
//! Leases are counted as ever: naming users says who, never how many.
//! Names compare without regard to case, as in the seat policy.

use crate::ids::Product;
use crate::policy::name_key;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One named user of a product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    /// The user name as the admin typed it.
    pub user: String,
    pub assigned_at: Timestamp,
    /// Whether the seat came from another user (so it may move again only
    /// after the cool-down).
    pub moved: bool,
}

/// A product's named users and the seats freed from users before.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamedSeats {
    /// By [`name_key`].
    users: BTreeMap<String, Assignment>,
    /// Seats freed by unassigning, each free to move from this moment.
    freed: Vec<Timestamp>,
}

/// Why an assignment is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignError {
    /// Every seat is named (or cooling down with none over yet).
    Full {
        seats: u32,
        named: u32,
        /// When a freed seat's cool-down ends, if one is cooling.
        next_free: Option<Timestamp>,
    },
}

/// What assigning did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Assigned {
    New(Assignment),
    /// The user was named already; nothing changed.
    Already(Assignment),
}

impl NamedSeats {
    /// The named users, in name order.
    pub fn users(&self) -> impl Iterator<Item = &Assignment> {
        self.users.values()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.users.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// Whether `user` (any case) is named.
    #[must_use]
    pub fn holds(&self, user: &str) -> bool {
        self.users.contains_key(&name_key(user))
    }

    /// Seats freed before whose cool-down is not over at `now`, earliest first.
    pub fn cooling(&self, now: Timestamp) -> impl Iterator<Item = Timestamp> + '_ {
        self.freed.iter().copied().filter(move |t| *t > now)
    }

    /// Names `user` for one of `seats` at `now`.
    ///
    /// # Errors
    /// [`AssignError::Full`] when no seat is left to name.
    pub fn assign(
        &mut self,
        user: &str,
        seats: u32,
        now: Timestamp,
    ) -> Result<Assigned, AssignError> {
        let key = name_key(user);
        if let Some(a) = self.users.get(&key) {
            return Ok(Assigned::Already(a.clone()));
        }
        let named = u32::try_from(self.users.len()).unwrap_or(u32::MAX);
        let freed = u32::try_from(self.freed.len()).unwrap_or(u32::MAX);
        let fresh = seats.saturating_sub(named).saturating_sub(freed);
        let moved = if fresh > 0 {
            false
        } else {
            // The freed seat free longest; one still cooling is not free.
            let ready = (0..self.freed.len())
                .filter(|&i| self.freed[i] <= now)
                .min_by_key(|&i| self.freed[i]);
            let room = named < seats;
            match ready {
                Some(i) if room => {
                    self.freed.swap_remove(i);
                    true
                }
                _ => {
                    return Err(AssignError::Full {
                        seats,
                        named,
                        next_free: if room { self.cooling(now).min() } else { None },
                    });
                }
            }
        };
        let a = Assignment {
            user: user.to_owned(),
            assigned_at: now,
            moved,
        };
        self.users.insert(key, a.clone());
        Ok(Assigned::New(a))
    }

    /// Takes `user`'s seat away at `now`; the seat may go to another user
    /// from the moment returned (after the cool-down when it moved to this
    /// user). `None` when the user is not named.
    pub fn unassign(
        &mut self,
        user: &str,
        cooldown_ms: i64,
        now: Timestamp,
    ) -> Option<(Assignment, Timestamp)> {
        let a = self.users.remove(&name_key(user))?;
        let free_at = if a.moved {
            now.max(a.assigned_at.plus_millis(cooldown_ms))
        } else {
            now
        };
        // Kept even beyond the seats licensed now: a seat once given stays
        // given (a licence shrunk and grown again must not turn seats that
        // moved into fresh ones). Users and freed seats are at most the most
        // seats the product ever had here.
        self.freed.push(free_at);
        Some((a, free_at))
    }
}

/// Every named product's seats, by product.
#[derive(Clone, Debug, Default)]
pub struct NamedUsers {
    products: BTreeMap<Product, NamedSeats>,
}

impl NamedUsers {
    #[must_use]
    pub fn get(&self, product: &Product) -> Option<&NamedSeats> {
        self.products.get(product)
    }

    /// The product's seats to change (made empty when first asked).
    pub fn entry(&mut self, product: &Product) -> &mut NamedSeats {
        self.products.entry(product.clone()).or_default()
    }

    /// Puts a product's seats back as stored.
    pub fn restore(&mut self, product: Product, seats: NamedSeats) {
        self.products.insert(product, seats);
    }

    /// Whether no product was ever given named users here (the checks
    /// are skipped then; a product whose users were all unnamed still
    /// counts, so its leases stop renewing).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    /// Whether `user` is named for `product`.
    #[must_use]
    pub fn holds(&self, product: &Product, user: &str) -> bool {
        self.products.get(product).is_some_and(|s| s.holds(user))
    }
}

#[cfg(test)]
#[path = "named_tests.rs"]
mod tests;
