//! Borrowing on the client: take a seat for hours to work without the
//! server (`Client::borrow`), use it offline (`Client::checkout` finds the
//! loan first), give it back early (`Client::return_borrowed`: dead here at
//! once, told to the server now or at the next contact).

use crate::LeaseEnd;
use crate::guard::{LeaseGuard, LostReason};
use crate::loans::{LoanFile, Loans};
use crate::{Client, ClientError, ServerApi};
use leasehold_core::wire::borrow::BorrowToken;
use leasehold_core::{Product, Timestamp};
use std::time::Duration;

/// How long a checkout on a loan waits to ask the lending server whether
/// the loan still stands before using it offline.
const LOAN_CONTACT: Duration = Duration::from_secs(3);

/// How often a borrowed seat in use looks at its loan file (the lending
/// server is asked every [`LENDER_EVERY`] looks), unless the client says.
pub(crate) const LOAN_CHECK: Duration = Duration::from_secs(5);
const LENDER_EVERY: u32 = 12;

/// What returning a loan did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoanReturn {
    /// The server has the seat back.
    Returned,
    /// Dead here; the server hears it at the next contact (it was not
    /// reachable), and until then counts the seat.
    Pending,
    /// This computer holds no loan of the product.
    NoLoan,
}

impl Client {
    /// Borrows a seat of `product` for `hours` (at most what its licence
    /// allows) and keeps the loan on this computer: checkouts of the
    /// product use it, with no server, until it ends.
    ///
    /// # Errors
    /// The server's refusals (`borrow_not_allowed`, `borrow_too_long`,
    /// `no_borrowable_seat`, [`ClientError::NoSeatFree`] …),
    /// [`ClientError::Unreachable`], [`ClientError::LoanStore`] when the
    /// loan cannot be kept, and in standalone mode [`ClientError::NoServer`]
    /// (borrowing needs a server).
    pub async fn borrow(
        &self,
        product: impl Into<Product>,
        hours: u32,
    ) -> Result<BorrowToken, ClientError> {
        let loans = self.loans()?;
        let request = self.checkout_request(product);
        // A loan kept here and not over is never overwritten, usable or not
        // (its seat is counted until it ends or is given back).
        if let Some(loan) = loans.load(&request.product)
            && Timestamp::now() < loan.until
        {
            return Err(ClientError::AlreadyBorrowed {
                product: loan.product,
                until: loan.until,
            });
        }
        let servers = self.resolve_servers().await?;
        tell_returns(&loans, &servers).await;
        let mut last = ClientError::NoServer;
        for server in &servers {
            match server.borrow(&request, hours).await {
                Ok(token) => {
                    loans.save(&token).map_err(|e| store_error(&loans, &e))?;
                    return Ok(token);
                }
                Err(e) if e.is_unreachable() => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    /// Gives the loan of `product` back early: from now on this computer
    /// does not use it, and the server frees the seat as soon as it hears
    /// (now, or at the next contact when it cannot be reached).
    ///
    /// # Errors
    /// [`ClientError::LoanStore`] when the loan file cannot be changed
    /// (nothing changed then).
    pub async fn return_borrowed(
        &self,
        product: impl Into<Product>,
    ) -> Result<LoanReturn, ClientError> {
        let loans = self.loans()?;
        let product = product.into();
        let Some(token) = loans
            .mark_returned(&product)
            .map_err(|e| store_error(&loans, &e))?
        else {
            return Ok(LoanReturn::NoLoan);
        };
        let servers = self.resolve_servers().await.unwrap_or_default();
        Ok(if tell_return(&loans, &servers, &token).await {
            LoanReturn::Returned
        } else {
            LoanReturn::Pending
        })
    }

    /// The loan of `product` this computer may use now, if any.
    #[must_use]
    pub fn loan(&self, product: &Product) -> Option<BorrowToken> {
        let loans = self.loans().ok()?;
        let token = loans.load(product)?;
        self.check_loan(&token).ok()?;
        Some(token)
    }

    /// A checkout on the loan of `product`, when this computer holds one
    /// that checks: asks the lending server (briefly) whether it still
    /// stands; ended there (the admin ended it) it is forgotten and the
    /// checkout goes to the server as usual.
    pub(crate) async fn checkout_on_loan(&self, product: &Product) -> Option<LeaseGuard> {
        let loans = self.loans().ok()?;
        let token = loans.load(product)?;
        if let Err(why) = self.check_loan(&token) {
            tracing::info!(product = %product, why, "the loan kept here is not usable; checking out from a server");
            if Timestamp::now() >= token.until {
                loans.forget(product, LoanFile::Loan);
            }
            return None;
        }
        let servers = self.servers().to_vec();
        let asked = tokio::time::timeout(LOAN_CONTACT, async {
            tell_returns(&loans, &servers).await;
            ask_lender(&servers, &token).await
        })
        .await;
        if let Ok(Some(Err(e @ ClientError::LeaseLost { .. }))) = asked {
            tracing::warn!(product = %product, error = %e, "the server ended the loan");
            loans.forget(product, LoanFile::Loan);
            return None;
        }
        tracing::debug!(product = %product, until = %token.until, "using the borrowed seat");
        let watch = watch_loan(loans, servers, token.clone(), self.loan_check);
        Some(LeaseGuard::borrowed(token, watch))
    }

    /// Whether this computer may use `token` now; a use is noted in the
    /// loans' clock file, so a clock set back cannot stretch a loan.
    fn check_loan(&self, token: &BorrowToken) -> Result<(), String> {
        let now = Timestamp::now();
        let clock = self.loans().ok().map(|l| l.dir().join("loans.clock"));
        if let Some(latest) = clock.as_deref().and_then(crate::clock_state::latest_seen) {
            if latest >= token.until {
                return Err(format!("the loan ended at {}", token.until.to_rfc3339()));
            }
            if now.until(latest) > leasehold_core::time::SET_BACK_TOLERANCE {
                return Err(format!(
                    "this computer's clock shows {}, behind {} (the latest time a loan was used here): set the clock right",
                    now.to_rfc3339(),
                    latest.to_rfc3339()
                ));
            }
        }
        token.check_offline(
            &token.product,
            &self.identity.client_id,
            &self.identity.user,
            &self.identity.computer,
            &self.vendor_keys,
            now,
        )?;
        if let Some(path) = &clock {
            crate::clock_state::note(path, now);
        }
        Ok(())
    }

    fn loans(&self) -> Result<Loans, ClientError> {
        self.loans
            .clone()
            .or_else(Loans::default_place)
            .ok_or_else(|| ClientError::LoanStore {
                path: String::new(),
                detail: "no directory to keep loans in: set LEASEHOLD_CLIENT_CONFIG, or ClientBuilder::borrow_dir".into(),
            })
    }
}

/// Ends a borrowed seat in use as soon as its loan ends early: given back
/// on this computer (its file gone: checked every `every`), or ended on the
/// lending server (asked every [`LENDER_EVERY`] checks, when reachable).
async fn watch_loan(
    loans: Loans,
    servers: Vec<ServerApi>,
    token: BorrowToken,
    every: Duration,
) -> LostReason {
    let mut checks = 0_u32;
    loop {
        tokio::time::sleep(every).await;
        if loans.load(&token.product).map(|t| t.lease_id) != Some(token.lease_id) {
            return LostReason::Ended(LeaseEnd::Released);
        }
        checks = checks.wrapping_add(1);
        if checks.is_multiple_of(LENDER_EVERY) {
            let asked = tokio::time::timeout(LOAN_CONTACT, ask_lender(&servers, &token)).await;
            if let Ok(Some(Err(ClientError::LeaseLost { reason, .. }))) = asked {
                tracing::warn!(product = %token.product, %reason, "the server ended the loan");
                loans.forget(&token.product, LoanFile::Loan);
                return LostReason::Ended(reason);
            }
        }
    }
}

/// Asks the server that lent `token` about it: `None` when none of
/// `servers` is it (or none answers).
async fn ask_lender(servers: &[ServerApi], token: &BorrowToken) -> Option<Result<(), ClientError>> {
    for server in servers {
        let Ok(hello) = server.hello().await else {
            continue;
        };
        if hello.server_public_key == token.chain.server_public_key {
            return Some(server.renew(token.lease_id).await.map(|_| ()));
        }
    }
    None
}

/// Tells the servers of every loan returned here and not yet heard.
async fn tell_returns(loans: &Loans, servers: &[ServerApi]) {
    for token in loans.pending_returns() {
        tell_return(loans, servers, &token).await;
    }
}

/// Tells the lending server `token` was returned; true when it heard (the
/// `.returned` file then goes).
async fn tell_return(loans: &Loans, servers: &[ServerApi], token: &BorrowToken) -> bool {
    for server in servers {
        let Ok(hello) = server.hello().await else {
            continue;
        };
        if hello.server_public_key != token.chain.server_public_key {
            continue;
        }
        if server.release(token.lease_id).await.is_ok() {
            loans.forget(&token.product, LoanFile::Returned);
            return true;
        }
    }
    false
}

fn store_error(loans: &Loans, e: &std::io::Error) -> ClientError {
    ClientError::LoanStore {
        path: loans.dir().display().to_string(),
        detail: e.to_string(),
    }
}
