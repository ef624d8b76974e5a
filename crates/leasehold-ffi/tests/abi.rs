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
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let vendor = VendorKeyPair::from_seed(&[3; 32]);
            let mut config = leasehold_server::Config::ephemeral(dir.path());
            config.trust.push(vendor.public());
            let server = leasehold_server::Server::start(config).await.unwrap();
            let code = issue(&vendor, &leasehold_core::testing::terms("cad", 1)).unwrap();
            server.engine().add_license(&code, false).await.unwrap();
            addr_tx
                .send((server.local_addr().to_string(), vendor.public().to_string()))
                .unwrap();
            tokio::task::spawn_blocking(move || stop_rx.recv())
                .await
                .ok();
            server.shutdown().await;
        });
    });
    let (addr, key) = addr_rx.recv().unwrap();
    (addr, key, stop_tx)
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
    let mut err = lh_error::default();
    let b = lh_builder_new();
    unsafe {
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
        lh_builder_free(b);
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
