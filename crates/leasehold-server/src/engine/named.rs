//! Named users (admin): name a user for a product's seats, take the seat
//! away, list who is named. The rules are `leasehold_core::named`; here they
//! are applied under the table's lock, stored, and logged.

use super::Engine;
use super::leases::check_field;
use crate::error::{Error, Result};
use crate::store::Op;
use leasehold_core::Product;
use leasehold_core::event::{Event, EventKind};
use leasehold_core::named::{AssignError, Assigned, NamedSeats};
use leasehold_core::table::LeaseTable;
use leasehold_core::time::Timestamp;
use leasehold_core::wire::named::{NamedUsersList, NamedUsersView};

const HOUR_MS: i64 = 3_600_000;

impl Engine {
    /// Every product whose codes have named users, and who is named.
    #[must_use]
    pub fn named_users(&self) -> NamedUsersList {
        let now = self.now();
        let table = self.table();
        let products = table
            .pools()
            .products()
            .into_iter()
            .filter(|p| table.pools().may_name(p))
            .map(|p| named_view(&table, p, now))
            .collect();
        NamedUsersList { products }
    }

    /// Who is named for `product`.
    ///
    /// # Errors
    /// `product_not_named` when no code of the product has named users.
    pub fn named_users_of(&self, product: &Product) -> Result<NamedUsersView> {
        check_product(product)?;
        let now = self.now();
        let table = self.table();
        named_product(&table, product)?;
        Ok(named_view(&table, product.clone(), now))
    }

    /// Names `user` for a seat of `product` (already named: nothing changes).
    ///
    /// # Errors
    /// `product_not_named`, `named_seats_full` (with when a cooling seat
    /// frees), `invalid_field` for a bad name, or a store error (nothing
    /// changed then).
    pub async fn assign_user(&self, product: &Product, user: &str) -> Result<NamedUsersView> {
        check_product(product)?;
        check_field("user", user, true, leasehold_core::wire::MAX_NAME_CHARS)?;
        let _one_at_a_time = self.inner.named_changes.lock().await;
        let now = self.now();
        let change = {
            let mut table = self.table();
            named_product(&table, product)?;
            let seats = table.pools().named_seats(product, now);
            let before = table.named().get(product).cloned().unwrap_or_default();
            let named = table.named_mut().entry(product);
            match named.assign(user, seats, now) {
                Ok(Assigned::Already(_)) => None,
                Ok(Assigned::New(a)) => {
                    let written = self.write_named(product, named);
                    Some((a, before, written))
                }
                Err(AssignError::Full {
                    seats,
                    named,
                    next_free,
                }) => {
                    return Err(Error::NamedSeatsFull(full_message(
                        product, seats, named, next_free,
                    )));
                }
            }
        };
        if let Some((a, before, written)) = change {
            let restored = product.clone();
            self.durable(written, move |engine| {
                engine.table().named_mut().restore(restored, before);
            })
            .await?;
            let how = if a.moved {
                "a seat that moved from another user; it may move again after the cool-down"
            } else {
                "a seat not named before"
            };
            let mut event = Event::new(
                EventKind::NamedUserAssigned,
                now,
                format!("{} named for {product} ({how})", a.user),
            );
            event.product = Some(product.clone());
            event.user = Some(a.user);
            self.inner.events.record(event);
            self.serve_soon(); // a named user may be first in line now
        }
        self.named_users_of(product)
    }

    /// Takes `user`'s named seat of `product` away. A lease the user holds
    /// runs to its end; new seats are refused.
    ///
    /// # Errors
    /// `product_not_named`, `not_a_named_user`, or a store error.
    pub async fn unassign_user(&self, product: &Product, user: &str) -> Result<NamedUsersView> {
        check_product(product)?;
        check_field("user", user, true, leasehold_core::wire::MAX_NAME_CHARS)?;
        let _one_at_a_time = self.inner.named_changes.lock().await;
        let now = self.now();
        let (a, free_at, before, written) = {
            let mut table = self.table();
            named_product(&table, product)?;
            let cooldown = table.pools().reassign_cooldown_ms(product);
            let before = table.named().get(product).cloned().unwrap_or_default();
            let named = table.named_mut().entry(product);
            let Some((a, free_at)) = named.unassign(user, cooldown, now) else {
                return Err(Error::NotNamed {
                    product: product.clone(),
                    user: user.to_owned(),
                });
            };
            let written = self.write_named(product, named);
            (a, free_at, before, written)
        };
        let restored = product.clone();
        self.durable(written, move |engine| {
            engine.table().named_mut().restore(restored, before);
        })
        .await?;
        let when = if free_at > now {
            format!(
                "its seat may go to another user from {} (the seat had moved to them)",
                free_at.to_rfc3339()
            )
        } else {
            "its seat may go to another user now".to_owned()
        };
        let mut event = Event::new(
            EventKind::NamedUserUnassigned,
            now,
            format!("{} is no longer named for {product}; {when}", a.user),
        );
        event.product = Some(product.clone());
        event.user = Some(a.user);
        self.inner.events.record(event);
        self.named_users_of(product)
    }

    /// Queues the write of a product's named seats (under the table's lock,
    /// so writes land in the order the changes were made).
    fn write_named(
        &self,
        product: &Product,
        seats: &NamedSeats,
    ) -> impl Future<Output = std::result::Result<(), crate::store::StoreError>> + use<> {
        self.inner.store.enqueue(vec![Op::PutNamedSeats {
            product: product.clone(),
            seats: seats.clone(),
        }])
    }
}

fn check_product(product: &Product) -> Result<()> {
    check_field(
        "product",
        product.as_str(),
        true,
        leasehold_core::license::MAX_PRODUCT_LEN,
    )
}

fn named_product(table: &LeaseTable, product: &Product) -> Result<()> {
    if table.pools().may_name(product) {
        Ok(())
    } else {
        Err(Error::ProductNotNamed(product.clone()))
    }
}

fn named_view(table: &LeaseTable, product: Product, now: Timestamp) -> NamedUsersView {
    let pools = table.pools();
    let seats = table.named().get(&product);
    NamedUsersView {
        in_force: pools.named(&product, now),
        seats: pools.named_seats(&product, now),
        users: seats
            .map(|s| s.users().cloned().collect())
            .unwrap_or_default(),
        cooling_until: seats.map(|s| s.cooling(now).collect()).unwrap_or_default(),
        reassign_after_hours: u32::try_from(pools.reassign_cooldown_ms(&product) / HOUR_MS)
            .unwrap_or(u32::MAX),
        product,
    }
}

fn full_message(product: &Product, seats: u32, named: u32, next_free: Option<Timestamp>) -> String {
    match next_free {
        Some(at) => format!(
            "every seat of {product} that may be named now is taken: {named} of {seats} are named and a seat freed from another user is in its cool-down until {}; name the user then, or add a licence with more seats",
            at.to_rfc3339()
        ),
        None => format!(
            "every seat of {product} is named ({named} of {seats}); take a seat from a user with `leasehold admin users unassign {product} USER`, or add a licence with more seats"
        ),
    }
}
