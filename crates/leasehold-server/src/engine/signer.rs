//! Signs grants in batches (see `leasehold_core::wire::proof`). One task takes
//! every grant queued while it signed the previous batch, so under load one
//! Ed25519 signature serves many grants; a grant that arrives alone is signed
//! at once, by itself.

use ed25519_dalek::SigningKey;
use leasehold_core::wire::borrow::BorrowToken;
use leasehold_core::wire::client::LeaseGrant;
use leasehold_core::wire::feature::FeatureGrant;
use leasehold_core::wire::proof::{self, Hash, MAX_BATCH, Proof};
use std::sync::{Arc, OnceLock};
use tokio::sync::{mpsc, oneshot};

type Signed = (Arc<str>, Proof);
type Job = (Hash, oneshot::Sender<Signed>);

pub(super) struct GrantSigner {
    key: SigningKey,
    /// The batching task, started on first use on the caller's runtime.
    queue: OnceLock<mpsc::UnboundedSender<Job>>,
}

impl GrantSigner {
    pub fn new(key: SigningKey) -> Self {
        Self {
            key,
            queue: OnceLock::new(),
        }
    }

    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// Fills in the grant's signature and proof.
    pub async fn sign(&self, mut grant: LeaseGrant) -> LeaseGrant {
        let (signature, index, proof) = self.sign_bytes(&grant.signed_bytes()).await;
        grant.signature = signature;
        grant.proof_index = index;
        grant.proof = proof;
        grant
    }

    /// Fills in a feature grant's signature and proof (same batches).
    pub async fn sign_feature(&self, mut grant: FeatureGrant) -> FeatureGrant {
        let (signature, index, proof) = self.sign_bytes(&grant.signed_bytes()).await;
        grant.signature = signature;
        grant.proof_index = index;
        grant.proof = proof;
        grant
    }

    /// Fills in a borrow token's signature and proof (same batches).
    pub async fn sign_borrow(&self, mut token: BorrowToken) -> BorrowToken {
        let (signature, index, proof) = self.sign_bytes(&token.signed_bytes()).await;
        token.signature = signature;
        token.proof_index = index;
        token.proof = proof;
        token
    }

    /// Signs `bytes` in the next batch: the batch's signature (hex), the
    /// leaf's index and its proof (hex).
    async fn sign_bytes(&self, bytes: &[u8]) -> (String, u32, Vec<String>) {
        let leaf = proof::leaf(bytes);
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(run(self.key.clone(), rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        let signed = match queue.send((leaf, reply)) {
            Ok(()) => answer.await.ok(),
            Err(_) => None,
        };
        // The task is gone only with the runtime it started on: sign here.
        let (signature, proof) = signed.unwrap_or_else(|| sign_batch(&self.key, &[leaf]).remove(0));
        (
            signature.to_string(),
            proof.index,
            proof.siblings.iter().map(|h| proof::to_hex(h)).collect(),
        )
    }
}

async fn run(key: SigningKey, mut queue: mpsc::UnboundedReceiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        // Woken by the first grant, this task would run right after it and
        // sign it alone (tokio runs a woken task next). Letting the requests
        // that are ready run first fills the batch; alone, it costs a turn.
        tokio::task::yield_now().await;
        while jobs.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let leaves: Vec<Hash> = jobs.iter().map(|(leaf, _)| *leaf).collect();
        for ((_, reply), signed) in jobs.drain(..).zip(sign_batch(&key, &leaves)) {
            // A caller that stopped waiting is no error.
            let _ = reply.send(signed);
        }
    }
}

fn sign_batch(key: &SigningKey, leaves: &[Hash]) -> Vec<Signed> {
    let (signature, proofs) = proof::sign_batch(key, leaves);
    let signature: Arc<str> = proof::to_hex(&signature.to_bytes()).into();
    proofs
        .into_iter()
        .map(|p| (Arc::clone(&signature), p))
        .collect()
}
