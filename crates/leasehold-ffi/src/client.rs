//! Making a client: from the end user's settings in one call, or with a
//! builder; checking a seat out.

use crate::seat::lh_seat;
use crate::{Failure, block_on, guarded, lh_error, lh_status, text};
use leasehold_client::{Client, ClientBuilder, VendorPublicKey};
use std::ffi::{c_char, c_void};
use std::path::PathBuf;

/// Collects what a client needs; made by [`lh_builder_new`], consumed by
/// [`lh_builder_build`] or freed by [`lh_builder_free`].
pub struct lh_builder {
    inner: ClientBuilder,
}

/// Knows where the server is and who is asking; checks seats out. Made by
/// [`lh_client_from_settings`] or [`lh_builder_build`], freed by
/// [`lh_client_free`] (seats checked out stay valid).
pub struct lh_client {
    inner: Client,
}

/// A new, empty builder. Free it with [`lh_builder_free`] unless
/// [`lh_builder_build`] consumed it.
#[unsafe(no_mangle)]
pub extern "C" fn lh_builder_new() -> *mut lh_builder {
    Box::into_raw(Box::new(lh_builder {
        inner: Client::builder(),
    }))
}

/// Frees a builder not consumed by [`lh_builder_build`]. Null is ignored.
///
/// # Safety
/// `builder` is null or from [`lh_builder_new`], not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_builder_free(builder: *mut lh_builder) {
    if !builder.is_null() {
        // SAFETY: per the contract above.
        drop(unsafe { Box::from_raw(builder) });
    }
}

/// Applies `f` to the builder behind `builder`.
fn with_builder(
    builder: *mut lh_builder,
    err: *mut lh_error,
    f: impl FnOnce(ClientBuilder) -> Result<ClientBuilder, Failure>,
) -> lh_status {
    guarded(err, || {
        // SAFETY: the caller passes null or a live builder, used by one thread at a time.
        let b = unsafe { builder.as_mut() }.ok_or_else(|| Failure::invalid("builder is null"))?;
        // A refused argument leaves the builder as it was (servers and keys
        // added before stay).
        b.inner = f(b.inner.clone())?;
        Ok(())
    })
}

/// Adds a server address (`host:port`, or `https://host:port` over TLS) to
/// try, after any added before.
///
/// # Safety
/// `builder` is a live builder; `address` a NUL-terminated string; `err`
/// null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_builder_server(
    builder: *mut lh_builder,
    address: *const c_char,
    err: *mut lh_error,
) -> lh_status {
    with_builder(builder, err, |b| {
        Ok(b.server(text::read(address, "address")?.trim()))
    })
}

/// Trusts the `https://` server whose certificate has this SHA-256
/// fingerprint (`AB:CD:…`, as `leasehold admin status` shows it), whatever
/// its names or issuer: how a server that made its own certificate is
/// reached over TLS. Repeatable (one per server); without any, `https://`
/// servers need a certificate the system trusts. A fingerprint that is not
/// one fails at [`lh_builder_build`] (`invalid_tls_fingerprint`).
///
/// # Safety
/// As [`lh_builder_server`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_builder_tls_fingerprint(
    builder: *mut lh_builder,
    fingerprint: *const c_char,
    err: *mut lh_error,
) -> lh_status {
    with_builder(builder, err, |b| {
        Ok(b.tls_fingerprint(text::read(fingerprint, "fingerprint")?.trim()))
    })
}

/// Adds a vendor public key (`LHPK-…`) the application trusts: a server must
/// show a licence signed with it (and activated for that server), and a
/// standalone licence file must be signed with it. Repeatable; compile your
/// key into the application.
///
/// # Safety
/// As [`lh_builder_server`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_builder_vendor_key(
    builder: *mut lh_builder,
    key: *const c_char,
    err: *mut lh_error,
) -> lh_status {
    with_builder(builder, err, |b| {
        let text = text::read(key, "vendor key")?;
        let key: VendorPublicKey = text.trim().parse().map_err(|e| Failure {
            status: lh_status::LH_INVALID_ARGUMENT,
            code: "bad_public_key".into(),
            message: format!("the vendor key is not a Leasehold public key: {e}"),
        })?;
        Ok(b.vendor_key(key))
    })
}

/// The application's name and version, shown to the admin.
///
/// # Safety
/// As [`lh_builder_server`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_builder_app(
    builder: *mut lh_builder,
    name: *const c_char,
    version: *const c_char,
    err: *mut lh_error,
) -> lh_status {
    with_builder(builder, err, |b| {
        Ok(b.app(text::read(name, "name")?, text::read(version, "version")?))
    })
}

/// Standalone mode: checkouts verify this node-locked licence file instead
/// of asking a server.
///
/// # Safety
/// As [`lh_builder_server`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_builder_standalone(
    builder: *mut lh_builder,
    license_file: *const c_char,
    err: *mut lh_error,
) -> lh_status {
    with_builder(builder, err, |b| {
        Ok(b.standalone(PathBuf::from(text::read(license_file, "license file")?)))
    })
}

/// Follow the end user's settings (standalone or network, as `leasehold
/// client mode` and the desktop app's License Mode tab set them): `path`,
/// or null for the default file.
///
/// # Safety
/// As [`lh_builder_server`]; `path` may be null.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_builder_settings(
    builder: *mut lh_builder,
    path: *const c_char,
    err: *mut lh_error,
) -> lh_status {
    with_builder(builder, err, |b| {
        let path = text::read_opt(path, "settings path")?.map(PathBuf::from);
        Ok(b.settings_file(path))
    })
}

/// Overrides the client id (default: this machine's id) or the user
/// (default: the login name); null leaves the default.
///
/// # Safety
/// As [`lh_builder_server`]; either string may be null.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_builder_identity(
    builder: *mut lh_builder,
    client_id: *const c_char,
    user: *const c_char,
    err: *mut lh_error,
) -> lh_status {
    with_builder(builder, err, |mut b| {
        if let Some(id) = text::read_opt(client_id, "client id")? {
            b = b.client_id(id);
        }
        if let Some(user) = text::read_opt(user, "user")? {
            b = b.user(user);
        }
        Ok(b)
    })
}

/// Where this computer keeps borrowed seats (`lh_borrow`); by default
/// `borrows/` next to the client settings.
///
/// # Safety
/// As [`lh_builder_server`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_builder_borrow_dir(
    builder: *mut lh_builder,
    dir: *const c_char,
    err: *mut lh_error,
) -> lh_status {
    with_builder(builder, err, |b| {
        Ok(b.borrow_dir(PathBuf::from(text::read(dir, "borrow dir")?)))
    })
}

/// Makes the client and frees the builder (also when it fails).
///
/// # Safety
/// `builder` is a live builder (not used after this call); `out` a writable
/// pointer; `err` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_builder_build(
    builder: *mut lh_builder,
    out: *mut *mut lh_client,
    err: *mut lh_error,
) -> lh_status {
    guarded(err, || {
        if builder.is_null() {
            return Err(Failure::invalid("builder is null"));
        }
        // SAFETY: a live builder, consumed here.
        let b = unsafe { Box::from_raw(builder) };
        let out = out_ptr(out)?;
        let client = b.inner.build()?;
        *out = Box::into_raw(Box::new(lh_client { inner: client }));
        Ok(())
    })
}

/// A client from the end user's settings in one call: what most
/// applications want. `vendor_key` is your public key (`LHPK-…`).
///
/// # Safety
/// Strings NUL-terminated; `out` writable; `err` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_client_from_settings(
    app_name: *const c_char,
    app_version: *const c_char,
    vendor_key: *const c_char,
    out: *mut *mut lh_client,
    err: *mut lh_error,
) -> lh_status {
    guarded(err, || {
        let out = out_ptr(out)?;
        let client = Client::from_settings(
            text::read(app_name, "app name")?,
            text::read(app_version, "app version")?,
            text::read(vendor_key, "vendor key")?,
        )?;
        *out = Box::into_raw(Box::new(lh_client { inner: client }));
        Ok(())
    })
}

/// Frees a client. Seats it checked out stay valid. Null is ignored.
///
/// # Safety
/// `client` is null or a live client, not used after this call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_client_free(client: *mut lh_client) {
    if !client.is_null() {
        // SAFETY: per the contract above.
        drop(unsafe { Box::from_raw(client) });
    }
}

/// Checks a seat of `product` out (in network mode, verifying the server's
/// licence chain against the vendor keys first) and keeps renewing it in
/// the background until [`crate::lh_seat_release`]. `LH_NO_SEAT` when every
/// seat is taken.
///
/// # Safety
/// `client` a live client; `product` NUL-terminated; `out` writable; `err`
/// null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_checkout(
    client: *const lh_client,
    product: *const c_char,
    timeout_ms: u32,
    out: *mut *mut lh_seat,
    err: *mut lh_error,
) -> lh_status {
    guarded(err, || {
        let client = client_ref(client)?;
        let out = out_ptr(out)?;
        let product = text::read(product, "product")?.to_owned();
        let guard = block_on(timeout_ms, async {
            client.checkout(product).await.map_err(Failure::from)
        })?;
        *out = lh_seat::new(guard);
        Ok(())
    })
}

/// Called with the place in the queue (1 = next) and how many wait,
/// whenever it changes; on the thread that called
/// [`lh_checkout_waiting`].
pub type lh_place_fn = Option<extern "C" fn(position: u32, waiting: u32, user_data: *mut c_void)>;

/// [`lh_checkout`] that waits in the server's queue when no seat is free,
/// calling `on_place` (may be null) as the place changes, and returns the
/// seat once it comes. `timeout_ms` bounds the wait (0: as long as it
/// takes); when it passes the client leaves the queue (`LH_TIMEOUT`).
/// Code `queue_not_allowed` when the licence forbids waiting.
///
/// # Safety
/// As [`lh_checkout`]; `user_data` is passed to `on_place` as given.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn lh_checkout_waiting(
    client: *const lh_client,
    product: *const c_char,
    timeout_ms: u32,
    on_place: lh_place_fn,
    user_data: *mut c_void,
    out: *mut *mut lh_seat,
    err: *mut lh_error,
) -> lh_status {
    guarded(err, || {
        let client = client_ref(client)?;
        let out = out_ptr(out)?;
        let product = text::read(product, "product")?.to_owned();
        let data = UserData(user_data);
        let wait =
            (timeout_ms > 0).then(|| std::time::Duration::from_millis(u64::from(timeout_ms)));
        // The SDK's own limit ends the wait (it leaves the queue then); the
        // call's limit is a little longer, for the leaving.
        let limit = timeout_ms.saturating_add(if timeout_ms > 0 { 5_000 } else { 0 });
        let guard = block_on(limit, async {
            let data = &data;
            client
                .checkout_waiting(product, wait, move |q| {
                    if let Some(f) = on_place {
                        f(q.position, q.waiting, data.0);
                    }
                })
                .await
                .map_err(|e| match e {
                    leasehold_client::ClientError::WaitTimedOut { .. } => Failure {
                        status: lh_status::LH_TIMEOUT,
                        code: e.code().to_owned(),
                        message: e.to_string(),
                    },
                    e => Failure::from(e),
                })
        })?;
        *out = lh_seat::new(guard);
        Ok(())
    })
}

/// The caller's pointer, handed back to its callback on the caller's own
/// thread (the future runs there, in `block_on`).
struct UserData(*mut c_void);

// SAFETY: the pointer is only passed back to the caller's callback, on the
// thread that called (block_on polls the future on the calling thread).
unsafe impl Send for UserData {}
// SAFETY: as above; never dereferenced by the library.
unsafe impl Sync for UserData {}

/// The client behind a handle.
pub(crate) fn client_ref<'a>(client: *const lh_client) -> Result<&'a Client, Failure> {
    // SAFETY: a live client (shared use from many threads is fine).
    unsafe { client.as_ref() }
        .map(|c| &c.inner)
        .ok_or_else(|| Failure::invalid("client is null"))
}

fn out_ptr<'a, T>(out: *mut *mut T) -> Result<&'a mut *mut T, Failure> {
    // SAFETY: the caller passes null or a writable pointer.
    let out = unsafe { out.as_mut() }.ok_or_else(|| Failure::invalid("out is null"))?;
    *out = std::ptr::null_mut();
    Ok(out)
}
