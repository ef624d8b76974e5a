//! Exactly once through a `kill -9`: a server process takes spends from many
//! senders, each key sent by two at once, and is killed while its writer is
//! in the middle of a batch; a new process on the same data directory is
//! sent every key again. Every spend acknowledged before the kill is
//! answered with the same spend, and the ledger holds each key once and
//! sums to exactly what the keys asked.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

mod common;

use common::Vendor;
use leasehold_client::ServerApi;
use leasehold_core::license::{SeatRules, TokenPeriod, Tokens, VendorPublicKey};
use leasehold_core::tokens::Spent;
use leasehold_core::wire::usage::{LedgerPage, UsageRequest};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CHILD_DIR: &str = "LEASEHOLD_TOKENS_CRASH_DIR";
const CHILD_KEY: &str = "LEASEHOLD_TOKENS_CRASH_VENDOR";
const CHILD_CODE: &str = "LEASEHOLD_TOKENS_CRASH_CODE";
const SENDERS: u64 = 32;

/// The child: a server on loopback with the code added, its address on
/// stdout; it stops by itself after a minute if nobody kills it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_crash_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let key: VendorPublicKey = std::env::var(CHILD_KEY).unwrap().parse().unwrap();
    let mut config = leasehold_server::Config::ephemeral(Path::new(&dir));
    config.trust.push(key);
    let server = leasehold_server::Server::start(config).await.unwrap();
    let code = std::env::var(CHILD_CODE).unwrap();
    let added = server.engine().add_license(&code, false).await;
    assert!(
        added.is_ok() || matches!(added, Err(leasehold_server::Error::LicenseAlreadyAdded(_))),
        "{added:?}"
    );
    {
        use std::io::Write;
        // Straight to stdout (the test harness captures `println!`).
        let mut out = std::io::stdout();
        writeln!(
            out,
            "listening {} {}",
            server.local_addr(),
            server.admin_token()
        )
        .unwrap();
        out.flush().unwrap();
    }
    tokio::time::sleep(Duration::from_secs(60)).await;
    server.shutdown().await;
}

fn spawn_child(dir: &Path, vendor: &Vendor, code: &str) -> (Child, String, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "tokens_crash_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir)
        .env(CHILD_KEY, vendor.key.public().to_string())
        .env(CHILD_CODE, code)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines {
        let line = line.unwrap();
        // The harness writes "test NAME ... " before it on the same line.
        if let Some((_, rest)) = line.split_once("listening ") {
            let (addr, token) = rest.split_once(' ').unwrap();
            return (child, addr.to_owned(), token.to_owned());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the child server did not start");
}

fn request(key: u64) -> UsageRequest {
    UsageRequest {
        product: "cad".into(),
        amount: key % 7 + 1,
        idempotency_key: format!("job-{key}"),
        client_id: format!("pc-{}", key % 5).as_str().into(),
        user: "ann".into(),
        note: String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_spend_counts_exactly_once_through_a_kill_9_mid_batch() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Vendor::new();
    let code = vendor.issue(&leasehold_core::license::LicenseTerms {
        seat_rules: SeatRules {
            tokens: Some(Tokens {
                units: 10_000_000,
                period: TokenPeriod::None,
                overdraft: 0,
            }),
            ..SeatRules::default()
        },
        ..vendor.terms("cad", 1)
    });
    let (mut child, addr, _) = spawn_child(dir.path(), &vendor, &code);
    let api = ServerApi::new(&addr).unwrap();

    // Senders take keys in turn; each key goes out twice at once (a client
    // retrying while its first try is still on the way).
    let next = Arc::new(Mutex::new(0u64));
    let acked: Arc<Mutex<HashMap<u64, Spent>>> = Arc::default();
    let mut senders = Vec::new();
    for _ in 0..SENDERS {
        let (api, next, acked) = (api.clone(), next.clone(), acked.clone());
        senders.push(tokio::spawn(async move {
            loop {
                let key = {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    *n
                };
                let req = request(key);
                let (a, b) = tokio::join!(api.consume(&req), api.consume(&req));
                for answer in [a, b] {
                    match answer {
                        Ok(answer) => {
                            let mut acked = acked.lock().unwrap();
                            let first = acked.entry(key).or_insert_with(|| answer.spend.clone());
                            assert_eq!(
                                *first, answer.spend,
                                "both senders of job-{key} hear one spend"
                            );
                        }
                        // The server is gone: stop sending.
                        Err(e) if e.is_unreachable() => return,
                        Err(e) => panic!("job-{key}: {e}"),
                    }
                }
            }
        }));
    }
    // Kill it while spends are streaming in (its writer has a batch open
    // nearly all the time at this rate).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap().len() < 2_000 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL on unix
    child.wait().unwrap();
    for s in senders {
        s.await.unwrap();
    }
    let acked = Arc::into_inner(acked).unwrap().into_inner().unwrap();
    let sent = *next.lock().unwrap();
    assert!(
        acked.len() >= 2_000,
        "only {} spends before the kill",
        acked.len()
    );

    // A new process on the same directory: every key again.
    let (mut child, addr, token) = spawn_child(dir.path(), &vendor, &code);
    let api = ServerApi::new(&addr).unwrap();
    let mut amounts = 0u64;
    for key in 1..=sent {
        let req = request(key);
        let answer = api.consume(&req).await.unwrap();
        if let Some(before) = acked.get(&key) {
            assert!(
                answer.replayed,
                "job-{key} was acknowledged before the kill"
            );
            assert_eq!(&answer.spend, before, "job-{key}: the original answer");
        }
        amounts += req.amount;
    }
    // The ledger: each key once, summing to what the keys asked.
    let http = leasehold_http::client().build().unwrap();
    let mut keys = std::collections::HashSet::new();
    let mut total = 0u64;
    let mut before: Option<u64> = None;
    let spent = loop {
        let mut url = format!("http://{addr}/admin/v1/usage/ledger?limit=1000");
        if let Some(b) = before {
            url.push_str(&format!("&before={b}"));
        }
        let page: LedgerPage = http
            .get(url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for e in &page.entries {
            assert!(
                keys.insert(e.spend.key.clone()),
                "{} twice in the ledger",
                e.spend.key
            );
            total += e.spend.amount;
        }
        match page.next_before {
            Some(b) => before = Some(b),
            None => break page.balances[0].spent,
        }
    };
    assert_eq!(keys.len() as u64, sent, "every key once");
    assert_eq!(total, amounts, "the ledger sums to what the keys asked");
    assert_eq!(spent, amounts, "the balance agrees with the ledger");
    child.kill().unwrap();
    child.wait().unwrap();
}
