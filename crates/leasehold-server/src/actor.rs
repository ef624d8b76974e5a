//! The admin account an admin call runs as, so the events it records name
//! it (`Event::by`). Set by the admin middleware for the call's task; work
//! the call hands to another task goes through [`spawn`] or
//! [`spawn_blocking`], which carry it along.

use std::future::Future;

tokio::task_local! {
    static ACTOR: Option<String>;
}

/// The account of the admin call this task runs for, if any.
#[must_use]
pub fn current() -> Option<String> {
    ACTOR.try_with(Clone::clone).ok().flatten()
}

/// Runs `f` as `account`.
pub async fn scope<F: Future>(account: Option<String>, f: F) -> F::Output {
    ACTOR.scope(account, f).await
}

/// `tokio::spawn`, as the current account.
pub fn spawn<F>(f: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(ACTOR.scope(current(), f))
}

/// `tokio::task::spawn_blocking`, as the current account.
pub fn spawn_blocking<F, R>(f: F) -> tokio::task::JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let account = current();
    tokio::task::spawn_blocking(move || ACTOR.sync_scope(account, f))
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_account_follows_work_into_other_tasks() {
        assert_eq!(super::current(), None);
        let seen = super::scope(Some("ann".into()), async {
            let spawned = super::spawn(async { super::current() }).await.unwrap();
            let blocking = super::spawn_blocking(super::current).await.unwrap();
            let plain = tokio::spawn(async { super::current() }).await.unwrap();
            (super::current(), spawned, blocking, plain)
        })
        .await;
        assert_eq!(
            seen,
            (
                Some("ann".into()),
                Some("ann".into()),
                Some("ann".into()),
                None
            )
        );
    }
}
