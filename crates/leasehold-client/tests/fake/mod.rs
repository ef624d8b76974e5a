//! A small stand-in for the lease server's client protocol, on a real socket
//! on 127.0.0.1: enough rules to drive the client (seats, expiry on tokio's
//! clock, reconnect gets the same lease), plus switches to misbehave. It can
//! stop and start again on the same port, keeping its leases, as the real
//! server does across a restart.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ed25519_dalek::{Signer, SigningKey};
use leasehold_core::license::{LicenseTerms, VendorKeyPair, VendorPublicKey, chain, issue};
use leasehold_core::wire::client::{
    Chain, ChainLink, CheckoutRequest, Hello, LeaseGrant, Released,
};
use leasehold_core::wire::proof;
use leasehold_core::wire::{ErrorBody, SeatsTaken};
use leasehold_core::{ClientId, LeaseId, Product, ServerId, Timestamp};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The wall-clock time the fake's clock starts at.
const EPOCH: Timestamp = Timestamp(1_767_225_600_000);

#[derive(Clone, Debug)]
pub struct FakeLease {
    pub product: Product,
    pub client_id: ClientId,
    pub user: String,
    pub deadline: Instant,
    pub disconnected: bool,
}

/// The vendor whose codes the fake shows: clients trust this key.
pub fn vendor() -> VendorKeyPair {
    VendorKeyPair::from_seed(&[5; 32])
}

/// The public key clients of the fake are given.
pub fn vendor_key() -> VendorPublicKey {
    vendor().public()
}

pub struct Fake {
    key: SigningKey,
    /// Codes shown per product (made on first ask, needing no activation).
    codes: HashMap<Product, String>,
    /// Shows codes signed by a vendor key of its own: a server nobody should trust.
    pub untrusted: bool,
    /// Signs grants with this key instead, to play a spoofed server.
    pub wrong_key: Option<SigningKey>,
    pub seats: u32,
    pub lease_secs: u32,
    pub renew_after_secs: u32,
    pub leases: HashMap<LeaseId, FakeLease>,
    pub released: Vec<LeaseId>,
    pub checkouts: u32,
    pub renewals: u32,
    /// Answer renewals with `over_subscribed`.
    pub over_subscribed: bool,
    /// Answer renewals with this error (e.g. a 503 `storage_full`).
    pub fail_renewals: Option<(StatusCode, &'static str)>,
    started: Instant,
}

impl Fake {
    fn now(&self) -> Timestamp {
        let elapsed = i64::try_from(self.started.elapsed().as_millis()).unwrap();
        EPOCH.plus_millis(elapsed)
    }

    fn wall(&self, at: Instant) -> Timestamp {
        let ms = i64::try_from(at.duration_since(self.started).as_millis()).unwrap();
        EPOCH.plus_millis(ms)
    }

    fn live(&self) -> usize {
        let now = Instant::now();
        self.leases
            .values()
            .filter(|l| l.deadline > now && !l.disconnected)
            .count()
    }

    /// The chain links for `product` as the fake shows them now.
    fn links(&self, product: &Product) -> Vec<ChainLink> {
        self.codes
            .get(product)
            .map(|code| ChainLink {
                code: code.clone(),
                activation: None,
            })
            .into_iter()
            .collect()
    }

    fn code_for(&mut self, product: &Product) {
        let untrusted = self.untrusted;
        self.codes.entry(product.clone()).or_insert_with(|| {
            let signer = if untrusted {
                VendorKeyPair::from_seed(&[6; 32])
            } else {
                vendor()
            };
            let terms = LicenseTerms {
                seats: 1,
                ..leasehold_core::testing::terms(product.as_str(), 1)
            };
            issue(&signer, &terms).unwrap()
        });
    }

    /// From now on shows codes of a vendor key of its own (or the genuine
    /// vendor's again): clients stop trusting it at their next renew.
    pub fn set_untrusted(&mut self, untrusted: bool) {
        self.untrusted = untrusted;
        self.codes.clear();
    }

    fn grant(&mut self, id: LeaseId, lease: &FakeLease, reused: bool) -> LeaseGrant {
        self.code_for(&lease.product);
        let mut grant = LeaseGrant {
            lease_id: id,
            product: lease.product.clone(),
            client_id: lease.client_id.clone(),
            expires_at: self.wall(lease.deadline),
            renew_after_secs: self.renew_after_secs,
            lease_secs: self.lease_secs,
            overdraft: false,
            features: Vec::new(),
            server_time: self.now(),
            reused,
            chain: chain::digest(&self.links(&lease.product)),
            signature: String::new(),
            proof_index: 0,
            proof: Vec::new(),
        };
        // Signed as a batch of one.
        let key = self.wrong_key.as_ref().unwrap_or(&self.key);
        let leaf = proof::leaf(&grant.signed_bytes());
        grant.signature = hex::encode(key.sign(&proof::root_message(&leaf)).to_bytes());
        grant
    }
}

type Shared = Arc<Mutex<Fake>>;

/// A running (or stopped) fake server.
pub struct FakeServer {
    pub addr: SocketAddr,
    state: Shared,
    task: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Binds 127.0.0.1:0 and serves `seats` seats of leases `lease_secs` long,
    /// to be renewed after `renew_after_secs`.
    pub async fn start(seats: u32, lease_secs: u32, renew_after_secs: u32) -> Self {
        let state = Arc::new(Mutex::new(Fake {
            key: SigningKey::from_bytes(&[7; 32]),
            codes: HashMap::new(),
            untrusted: false,
            wrong_key: None,
            seats,
            lease_secs,
            renew_after_secs,
            leases: HashMap::new(),
            released: Vec::new(),
            checkouts: 0,
            renewals: 0,
            over_subscribed: false,
            fail_renewals: None,
            started: Instant::now(),
        }));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut server = Self {
            addr,
            state,
            task: None,
        };
        server.serve(listener);
        server
    }

    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    pub fn state(&self) -> MutexGuard<'_, Fake> {
        self.state.lock().unwrap()
    }

    /// Stops listening: connections are refused until [`restart`].
    pub async fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// Listens again on the same port, with the same leases.
    pub async fn restart(&mut self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }

    /// Live (unexpired, not disconnected) leases.
    pub fn live_leases(&self) -> usize {
        self.state().live()
    }

    /// Ends a lease as an admin disconnect would.
    pub fn disconnect(&self, id: LeaseId) {
        self.state().leases.get_mut(&id).unwrap().disconnected = true;
    }

    fn serve(&mut self, listener: TcpListener) {
        let app = Router::new()
            .route("/v1/hello", get(hello))
            .route("/v1/chain", get(chain_of))
            .route("/v1/checkout", post(checkout))
            .route("/v1/leases/{id}/renew", post(renew))
            .route("/v1/leases/{id}/release", post(release))
            .with_state(self.state.clone());
        self.task = Some(tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }));
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn error(status: StatusCode, body: ErrorBody) -> Response {
    (status, Json(body)).into_response()
}

async fn hello(State(state): State<Shared>) -> Json<Hello> {
    let fake = state.lock().unwrap();
    Json(Hello {
        protocol_version: leasehold_core::wire::PROTOCOL_VERSION,
        server_id: ServerId(uuid::Uuid::nil()),
        server_name: "fake".into(),
        version: "0.0.0-fake".into(),
        server_public_key: hex::encode(fake.key.verifying_key().to_bytes()),
        server_time: fake.now(),
    })
}

#[derive(serde::Deserialize)]
struct ChainQuery {
    product: Product,
}

async fn chain_of(
    State(state): State<Shared>,
    axum::extract::Query(q): axum::extract::Query<ChainQuery>,
) -> Json<Chain> {
    let mut fake = state.lock().unwrap();
    fake.code_for(&q.product);
    let links = fake.links(&q.product);
    Json(Chain {
        product: q.product,
        server_public_key: hex::encode(fake.key.verifying_key().to_bytes()),
        digest: chain::digest(&links),
        links,
    })
}

async fn checkout(State(state): State<Shared>, Json(req): Json<CheckoutRequest>) -> Response {
    let mut fake = state.lock().unwrap();
    fake.checkouts += 1;
    let now = Instant::now();
    let lease_len = Duration::from_secs(u64::from(fake.lease_secs));
    let mine = fake
        .leases
        .iter()
        .find(|(_, l)| {
            l.client_id == req.client_id
                && l.user == req.user
                && l.product == req.product
                && l.deadline > now
                && !l.disconnected
        })
        .map(|(id, _)| *id);
    if let Some(id) = mine {
        let lease = fake.leases.get_mut(&id).unwrap();
        lease.deadline = now + lease_len;
        let lease = lease.clone();
        return Json(fake.grant(id, &lease, true)).into_response();
    }
    let in_use = u32::try_from(fake.live()).unwrap();
    if in_use >= fake.seats {
        let taken = SeatsTaken {
            seats: fake.seats,
            in_use,
            retry_after_secs: Some(20),
        };
        let body = ErrorBody::no_seat_free("all seats are in use", taken);
        return error(StatusCode::CONFLICT, body);
    }
    let id = LeaseId::random();
    let lease = FakeLease {
        product: req.product,
        client_id: req.client_id,
        user: req.user,
        deadline: now + lease_len,
        disconnected: false,
    };
    let grant = fake.grant(id, &lease, false);
    fake.leases.insert(id, lease);
    Json(grant).into_response()
}

async fn renew(State(state): State<Shared>, Path(id): Path<LeaseId>) -> Response {
    let mut fake = state.lock().unwrap();
    fake.renewals += 1;
    let now = Instant::now();
    if let Some((status, code)) = fake.fail_renewals {
        return error(
            status,
            ErrorBody::new(code, "the disk holding the data is full"),
        );
    }
    if fake.released.contains(&id) {
        return error(
            StatusCode::GONE,
            ErrorBody::new("lease_released", "the lease was released"),
        );
    }
    let Some(lease) = fake.leases.get(&id).cloned() else {
        return error(
            StatusCode::NOT_FOUND,
            ErrorBody::new("lease_not_found", "no such lease"),
        );
    };
    if lease.disconnected {
        return error(
            StatusCode::GONE,
            ErrorBody::new("lease_disconnected", "disconnected by the admin"),
        );
    }
    if lease.deadline <= now {
        return error(
            StatusCode::GONE,
            ErrorBody::new("lease_expired", "the lease expired"),
        );
    }
    if fake.over_subscribed {
        let body =
            ErrorBody::over_subscribed("the license is over-subscribed", fake.wall(lease.deadline));
        return error(StatusCode::CONFLICT, body);
    }
    let deadline = now + Duration::from_secs(u64::from(fake.lease_secs));
    let lease = fake.leases.get_mut(&id).unwrap();
    lease.deadline = deadline;
    let lease = lease.clone();
    Json(fake.grant(id, &lease, false)).into_response()
}

async fn release(State(state): State<Shared>, Path(id): Path<LeaseId>) -> Json<Released> {
    let mut fake = state.lock().unwrap();
    let was_held = fake.leases.remove(&id).is_some();
    if was_held {
        fake.released.push(id);
    }
    Json(Released {
        lease_id: id,
        was_held,
    })
}
