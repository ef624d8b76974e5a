//! The activation authority faces the internet: a stranger holding
//! connections open locks out only themselves, not the customers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use leasehold_core::license::VendorKeyPair;
use leasehold_server::authority::{self, AuthorityConfig, PER_ADDRESS};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A connection from `local` (a loopback address of our choosing).
async fn connect_from(local: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((local, 0))).unwrap();
    socket.connect(to).await.unwrap()
}

/// The answer to a hello on `stream` ("" when closed unanswered).
async fn hello(mut stream: TcpStream) -> String {
    let _ = stream
        .write_all(b"GET /authority/v1/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_holding_connections_locks_out_only_their_own_address() {
    let dir = tempfile::tempdir().unwrap();
    let key = VendorKeyPair::from_seed(&[4; 32]);
    let fingerprint = key.public().fingerprint().to_string();
    let handle = authority::start(AuthorityConfig {
        data_dir: dir.path().to_path_buf(),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        key,
    })
    .await
    .unwrap();
    let to = handle.local_addr();
    // The stranger on 127.0.0.2 opens its share, sending nothing.
    let mut idle = Vec::new();
    for _ in 0..PER_ADDRESS {
        idle.push(connect_from([127, 0, 0, 2], to).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // One more from there is closed unanswered…
    let stranger = hello(connect_from([127, 0, 0, 2], to).await).await;
    assert_eq!(
        stranger, "",
        "the stranger's extra connection is closed unanswered"
    );
    // …while a customer on another address is answered at once.
    let customer = hello(connect_from([127, 0, 0, 3], to).await).await;
    assert!(customer.starts_with("HTTP/1.1 200"), "{customer}");
    assert!(customer.contains(&fingerprint), "{customer}");
    drop(idle);
    handle.shutdown().await;
}
