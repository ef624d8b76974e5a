//! The C ABI's promises, called as a C program would (from plain threads):
//! bad arguments are errors, not crashes; errors carry the stable code and
//! are cleared by a success; the seat's state by polling, waiting and
//! callback (on a thread of its own, free to make blocking calls).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use leasehold::*;
use leasehold_core::license::{VendorKeyPair, issue};
use std::ffi::{CStr, CString, c_void};
use std::ptr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// A server on its own runtime thread; its address and the vendor key.
fn server() -> (String, String, std::sync::mpsc::Sender<()>) {
    let (addr, key, _, stop) = server_with(leasehold_server::tls::TlsMode::Off);
    (addr, key, stop)
}

/// [`server`] with TLS as `tls` says, and its certificate's fingerprint.
fn server_with(
    tls: leasehold_server::tls::TlsMode,
) -> (String, String, Option<String>, std::sync::mpsc::Sender<()>) {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let vendor = VendorKeyPair::from_seed(&[3; 32]);
            let mut config = leasehold_server::Config::ephemeral(dir.path());
            config.trust.push(vendor.public());
            config.tls = tls;
            let server = leasehold_server::Server::start(config).await.unwrap();
            // One seat, with one seat of feature render and loans of up to a day.
            let terms = leasehold_core::testing::terms_with_feature_and_loans("cad", 1);
            let code = issue(&vendor, &terms).unwrap();
            server.engine().add_license(&code, false).await.unwrap();
            addr_tx
                .send((
                    server.local_addr().to_string(),
                    vendor.public().to_string(),
                    server.tls().map(|t| t.fingerprint.clone()),
                ))
                .unwrap();
            tokio::task::spawn_blocking(move || stop_rx.recv())
                .await
                .ok();
            server.shutdown().await;
        });
    });
    let (addr, key, fingerprint) = addr_rx.recv().unwrap();
    (addr, key, fingerprint, stop_tx)
}

fn code_of(e: &lh_error) -> String {
    unsafe { CStr::from_ptr(e.code.as_ptr()) }
        .to_str()
        .unwrap()
        .to_owned()
}

fn message_of(e: &lh_error) -> String {
    unsafe { CStr::from_ptr(e.message.as_ptr()) }
        .to_str()
        .unwrap()
        .to_owned()
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

fn client(addr: &str, key: &str, id: &str) -> *mut lh_client {
    client_with(addr, key, id, None)
}

/// [`client`], keeping loans in `loans`.
fn client_with(addr: &str, key: &str, id: &str, loans: Option<&std::path::Path>) -> *mut lh_client {
    let mut err = lh_error::default();
    let b = lh_builder_new();
    unsafe {
        if let Some(dir) = loans {
            let dir = c(dir.to_str().unwrap());
            assert_eq!(
                lh_builder_borrow_dir(b, dir.as_ptr(), &mut err),
                lh_status::LH_OK
            );
        }
        assert_eq!(
            lh_builder_server(b, c(addr).as_ptr(), &mut err),
            lh_status::LH_OK
        );
        assert_eq!(
            lh_builder_vendor_key(b, c(key).as_ptr(), &mut err),
            lh_status::LH_OK
        );
        assert_eq!(
            lh_builder_identity(b, c(id).as_ptr(), ptr::null(), &mut err),
            lh_status::LH_OK
        );
        let mut out = ptr::null_mut();
        assert_eq!(
            lh_builder_build(b, &mut out, &mut err),
            lh_status::LH_OK,
            "{}",
            message_of(&err)
        );
        out
    }
}

#[test]
fn bad_arguments_are_errors_with_codes_and_a_success_clears_them() {
    let mut err = lh_error::default();
    unsafe {
        let mut out = ptr::null_mut();
        let status = lh_checkout(ptr::null(), c("cad").as_ptr(), 0, &mut out, &mut err);
        assert_eq!(status, lh_status::LH_INVALID_ARGUMENT);
        assert_eq!(code_of(&err), "invalid_argument");
        assert!(message_of(&err).contains("client is null"));

        let b = lh_builder_new();
        let bad = [0xffu8, 0xfe, 0];
        let status = lh_builder_server(b, bad.as_ptr().cast(), &mut err);
        assert_eq!(status, lh_status::LH_INVALID_ARGUMENT);
        assert!(message_of(&err).contains("not UTF-8"));
        let status = lh_builder_vendor_key(b, c("LHPK-nonsense").as_ptr(), &mut err);
        assert_eq!(status, lh_status::LH_INVALID_ARGUMENT);
        assert_eq!(code_of(&err), "bad_public_key");
        // Network mode without a server: the SDK's own error, its code.
        let mut client = ptr::null_mut();
        let status = lh_builder_build(b, &mut client, &mut err);
        assert_eq!(status, lh_status::LH_ERROR);
        assert!(client.is_null());
        assert!(!code_of(&err).is_empty());
        // A success clears the error; a null error is allowed.
        let b = lh_builder_new();
        assert_eq!(
            lh_builder_server(b, c("127.0.0.1:9").as_ptr(), &mut err),
            lh_status::LH_OK
        );
        assert_eq!(err.status, lh_status::LH_OK);
        assert_eq!(code_of(&err), "");
        assert_eq!(
            lh_builder_server(b, ptr::null(), ptr::null_mut()),
            lh_status::LH_INVALID_ARGUMENT
        );
        assert_eq!(
            lh_builder_tls_fingerprint(b, ptr::null(), ptr::null_mut()),
            lh_status::LH_INVALID_ARGUMENT
        );
        // The refused arguments left the builder as it was: its server stays.
        let mut kept = ptr::null_mut();
        assert_eq!(
            lh_builder_build(b, &mut kept, &mut err),
            lh_status::LH_OK,
            "{}",
            message_of(&err)
        );
        lh_client_free(kept);
        lh_builder_free(ptr::null_mut());
        lh_client_free(ptr::null_mut());
        lh_seat_free(ptr::null_mut());
        assert_eq!(
            CStr::from_ptr(lh_version()).to_str().unwrap(),
            env!("CARGO_PKG_VERSION")
        );
        // A blocking call on another async runtime's worker thread is the
        // caller's mistake, said as such (not a crash, not "a bug").
        let b = lh_builder_new();
        lh_builder_server(b, c("127.0.0.1:9").as_ptr(), ptr::null_mut());
        let mut client = ptr::null_mut();
        assert_eq!(lh_builder_build(b, &mut client, &mut err), lh_status::LH_OK);
        let client_addr = client as usize;
        let (status, message) = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(async move {
                let mut err = lh_error::default();
                let mut seat = ptr::null_mut();
                let status = lh_checkout(
                    client_addr as *const lh_client,
                    c("cad").as_ptr(),
                    1000,
                    &mut seat,
                    &mut err,
                );
                (status, message_of(&err))
            });
        assert_eq!(status, lh_status::LH_INVALID_ARGUMENT, "{message}");
        assert!(message.contains("your own thread"), "{message}");
        lh_client_free(client);
    }
}

static CALLS: AtomicU32 = AtomicU32::new(0);
static SEEN: Mutex<Vec<(lh_seat_state, lh_status, lh_seat_state, String)>> = Mutex::new(Vec::new());

extern "C" fn on_change(info: *const lh_seat_info, user: *mut c_void) {
    CALLS.fetch_add(1, Ordering::SeqCst);
    let info = unsafe { &*info };
    // A blocking call from a callback works (the callback has its own
    // thread, not one of the runtime's).
    let seat = user.cast::<lh_seat>();
    let mut err = lh_error::default();
    let mut polled = lh_seat_info::default();
    let waited = unsafe { lh_seat_wait(seat, 1000, &mut polled, &mut err) };
    let thread = std::thread::current().name().unwrap_or("").to_owned();
    SEEN.lock()
        .unwrap()
        .push((info.state, waited, polled.state, thread));
}

/// A builder for `server` trusting `key` and the certificate `pin`.
fn builder_pinned(server: &str, key: &str, pin: &str) -> *mut lh_builder {
    let mut err = lh_error::default();
    let b = lh_builder_new();
    unsafe {
        for status in [
            lh_builder_server(b, c(server).as_ptr(), &mut err),
            lh_builder_vendor_key(b, c(key).as_ptr(), &mut err),
            lh_builder_tls_fingerprint(b, c(pin).as_ptr(), &mut err),
            lh_builder_identity(b, c("pc-tls").as_ptr(), ptr::null(), &mut err),
        ] {
            assert_eq!(status, lh_status::LH_OK, "{}", message_of(&err));
        }
    }
    b
}

#[test]
fn a_server_over_https_is_trusted_by_its_certificates_fingerprint() {
    let (addr, key, fingerprint, stop) = server_with(leasehold_server::tls::TlsMode::Made);
    let https = format!("https://{addr}");
    let mut err = lh_error::default();
    unsafe {
        // Its own certificate's fingerprint: a seat over TLS.
        let mut client = ptr::null_mut();
        let b = builder_pinned(&https, &key, &fingerprint.unwrap());
        assert_eq!(lh_builder_build(b, &mut client, &mut err), lh_status::LH_OK);
        let mut seat = ptr::null_mut();
        let status = lh_checkout(client, c("cad").as_ptr(), 10_000, &mut seat, &mut err);
        assert_eq!(status, lh_status::LH_OK, "{}", message_of(&err));
        assert_eq!(lh_seat_release(seat, 10_000, &mut err), lh_status::LH_OK);
        lh_client_free(client);

        // Another's: refused, with its code, and no seat.
        let b = builder_pinned(&https, &key, &("AB:".repeat(31) + "AB"));
        assert_eq!(lh_builder_build(b, &mut client, &mut err), lh_status::LH_OK);
        let mut seat = ptr::null_mut();
        let status = lh_checkout(client, c("cad").as_ptr(), 10_000, &mut seat, &mut err);
        assert_eq!(status, lh_status::LH_ERROR);
        assert_eq!(
            code_of(&err),
            "untrusted_certificate",
            "{}",
            message_of(&err)
        );
        assert!(seat.is_null());
        lh_client_free(client);

        // Not a fingerprint: the build says so.
        let b = builder_pinned(&https, &key, "AB:CD");
        let status = lh_builder_build(b, &mut client, &mut err);
        assert_eq!(status, lh_status::LH_ERROR);
        assert_eq!(code_of(&err), "invalid_tls_fingerprint");
        assert!(message_of(&err).contains("not a SHA-256 fingerprint"));
    }
    stop.send(()).unwrap();
}

#[test]
fn a_seat_is_polled_waited_for_called_back_and_released() {
    let (addr, key, stop) = server();
    let a = client(&addr, &key, "pc-a");
    let b = client(&addr, &key, "pc-b");
    let mut err = lh_error::default();
    unsafe {
        let mut seat = ptr::null_mut();
        let status = lh_checkout(a, c("cad").as_ptr(), 10_000, &mut seat, &mut err);
        assert_eq!(status, lh_status::LH_OK, "{}", message_of(&err));
        let mut info = lh_seat_info::default();
        assert_eq!(lh_seat_poll(seat, &mut info, &mut err), lh_status::LH_OK);
        assert_eq!(info.state, lh_seat_state::LH_SEAT_HELD);
        assert!(info.usable);
        assert_eq!(CStr::from_ptr(info.lease_id.as_ptr()).to_bytes().len(), 36);
        assert!(info.expires_at_ms > 0);

        // The one seat is taken: LH_NO_SEAT with its code.
        let mut other = ptr::null_mut();
        let status = lh_checkout(b, c("cad").as_ptr(), 10_000, &mut other, &mut err);
        assert_eq!(status, lh_status::LH_NO_SEAT);
        assert_eq!(code_of(&err), "no_seat_free");
        assert!(other.is_null());

        // Nothing changes within 50 ms.
        assert_eq!(
            lh_seat_wait(seat, 50, &mut info, &mut err),
            lh_status::LH_TIMEOUT
        );
        assert_eq!(code_of(&err), "timeout");
        assert_eq!(info.state, lh_seat_state::LH_SEAT_HELD);

        assert_eq!(
            lh_seat_on_change(seat, Some(on_change), seat.cast(), &mut err),
            lh_status::LH_OK
        );
        assert_eq!(
            lh_seat_release(seat, 10_000, &mut err),
            lh_status::LH_OK,
            "{}",
            message_of(&err)
        );
        // The seat is free again for the other computer.
        let status = lh_checkout(b, c("cad").as_ptr(), 10_000, &mut other, &mut err);
        assert_eq!(status, lh_status::LH_OK, "{}", message_of(&err));
        lh_seat_free(other);
        lh_client_free(a);
        lh_client_free(b);
    }
    // The callback saw the release (before lh_seat_release returned), on
    // its own thread, and its blocking call answered at once.
    assert_eq!(CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(
        *SEEN.lock().unwrap(),
        vec![(
            lh_seat_state::LH_SEAT_RELEASED,
            lh_status::LH_OK,
            lh_seat_state::LH_SEAT_RELEASED,
            "leasehold-callback".to_owned()
        )]
    );
    stop.send(()).unwrap();
}

#[test]
fn feature_seats_loans_and_waiting_through_the_abi() {
    let (addr, key, stop) = server();
    let loans = tempfile::tempdir().unwrap();
    let a = client_with(&addr, &key, "pc-a", Some(loans.path()));
    let b = client(&addr, &key, "pc-b");
    let mut err = lh_error::default();
    unsafe {
        // A feature seat under the held seat; plain features uncounted.
        let mut seat = ptr::null_mut();
        assert_eq!(
            lh_checkout(a, c("cad").as_ptr(), 10_000, &mut seat, &mut err),
            lh_status::LH_OK
        );
        let mut info = lh_feature_info {
            seats: 0,
            in_use: 0,
        };
        assert_eq!(
            lh_seat_checkout_feature(seat, c("render").as_ptr(), 10_000, &mut info, &mut err),
            lh_status::LH_OK,
            "{}",
            message_of(&err)
        );
        assert_eq!((info.seats, info.in_use), (1, 1));
        assert_eq!(
            lh_seat_checkout_feature(seat, c("export").as_ptr(), 10_000, &mut info, &mut err),
            lh_status::LH_OK
        );
        assert_eq!(info.seats, -1, "plain");
        assert_eq!(
            lh_seat_checkout_feature(seat, c("teleport").as_ptr(), 10_000, &mut info, &mut err),
            lh_status::LH_ERROR
        );
        assert_eq!(code_of(&err), "feature_not_licensed");
        assert_eq!(
            lh_seat_release_feature(seat, c("render").as_ptr(), 10_000, &mut err),
            lh_status::LH_OK
        );

        // b waits for the one seat, hearing its place; a's release serves it.
        static PLACES: Mutex<Vec<(u32, u32)>> = Mutex::new(Vec::new());
        extern "C" fn on_place(position: u32, waiting: u32, user: *mut c_void) {
            assert_eq!(user as usize, 7);
            PLACES.lock().unwrap().push((position, waiting));
        }
        let seat_addr = seat as usize;
        let releaser = std::thread::spawn(move || {
            while PLACES.lock().unwrap().is_empty() {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            let mut err = lh_error::default();
            lh_seat_release(seat_addr as *mut lh_seat, 10_000, &mut err)
        });
        let mut waited = ptr::null_mut();
        assert_eq!(
            lh_checkout_waiting(
                b,
                c("cad").as_ptr(),
                20_000,
                Some(on_place),
                7 as *mut c_void,
                &mut waited,
                &mut err
            ),
            lh_status::LH_OK,
            "{}",
            message_of(&err)
        );
        assert_eq!(releaser.join().unwrap(), lh_status::LH_OK);
        assert_eq!(PLACES.lock().unwrap()[0], (1, 1));
        assert_eq!(lh_seat_release(waited, 10_000, &mut err), lh_status::LH_OK);

        // Tokens: once per key, however often it is sent.
        let mut spend = lh_spend::default();
        assert_eq!(
            lh_consume(
                a,
                c("cad").as_ptr(),
                30,
                c("job-1").as_ptr(),
                c("plot").as_ptr(),
                10_000,
                &mut spend,
                &mut err
            ),
            lh_status::LH_OK,
            "{}",
            message_of(&err)
        );
        assert_eq!((spend.amount, spend.left, spend.replayed), (30, 70, false));
        let first = spend;
        assert_eq!(
            lh_consume(
                b,
                c("cad").as_ptr(),
                30,
                c("job-1").as_ptr(),
                ptr::null(),
                10_000,
                &mut spend,
                &mut err
            ),
            lh_status::LH_OK
        );
        assert_eq!(
            (spend.at_ms, spend.left, spend.replayed),
            (first.at_ms, 70, true)
        );
        assert_eq!(
            lh_consume(
                a,
                c("cad").as_ptr(),
                71,
                c("job-2").as_ptr(),
                ptr::null(),
                10_000,
                &mut spend,
                &mut err
            ),
            lh_status::LH_ERROR
        );
        assert_eq!(code_of(&err), "tokens_exhausted");

        // A loan: checkouts use it; returned, the seat is free again.
        let mut until = 0_i64;
        assert_eq!(
            lh_borrow(a, c("cad").as_ptr(), 8, 10_000, &mut until, &mut err),
            lh_status::LH_OK,
            "{}",
            message_of(&err)
        );
        assert!(until > 0);
        let mut on_loan = ptr::null_mut();
        assert_eq!(
            lh_checkout(a, c("cad").as_ptr(), 10_000, &mut on_loan, &mut err),
            lh_status::LH_OK
        );
        let mut state = lh_seat_info::default();
        assert_eq!(
            lh_seat_poll(on_loan, &mut state, &mut err),
            lh_status::LH_OK
        );
        assert_eq!(state.expires_at_ms, until, "held until the loan ends");
        lh_seat_free(on_loan);
        let mut taken = ptr::null_mut();
        assert_eq!(
            lh_checkout(b, c("cad").as_ptr(), 10_000, &mut taken, &mut err),
            lh_status::LH_NO_SEAT
        );
        let mut returned = lh_loan_return::LH_LOAN_NONE;
        assert_eq!(
            lh_return(a, c("cad").as_ptr(), 10_000, &mut returned, &mut err),
            lh_status::LH_OK
        );
        assert_eq!(returned, lh_loan_return::LH_LOAN_RETURNED);
        assert_eq!(
            lh_checkout(b, c("cad").as_ptr(), 10_000, &mut taken, &mut err),
            lh_status::LH_OK
        );
        assert_eq!(lh_seat_release(taken, 10_000, &mut err), lh_status::LH_OK);
        lh_client_free(a);
        lh_client_free(b);
    }
    stop.send(()).unwrap();
}
