//! Grants are signed in batches. The server hashes each grant's signed bytes
//! into a leaf of a Merkle tree, signs the tree's root once with Ed25519, and
//! gives every grant that signature plus the sibling hashes on the way from
//! its leaf to the root (its proof). Under load one signature then serves
//! every grant that waited for it, as one fsync serves a batch of commits; a
//! batch of one is a signature over its single leaf with an empty proof.
//!
//! A client checks a grant by folding its proof into a root and verifying
//! the signature over that root: a server without the key can forge neither,
//! and a proof reveals nothing about the other grants in the batch (their
//! leaves are hashes).

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

/// A node of the tree.
pub type Hash = [u8; 32];

/// The most grants one signature covers: proofs stay at most 10 hashes.
pub const MAX_BATCH: usize = 1024;

/// Leaves and inner nodes are hashed with different prefixes, so a leaf can
/// never pass for an inner node (or the reverse).
#[must_use]
pub fn leaf(signed_bytes: &[u8]) -> Hash {
    Sha256::new()
        .chain_update([0u8])
        .chain_update(signed_bytes)
        .finalize()
        .into()
}

fn node(left: &Hash, right: &Hash) -> Hash {
    Sha256::new()
        .chain_update([1u8])
        .chain_update(left)
        .chain_update(right)
        .finalize()
        .into()
}

/// Fills a level up to an even count; never equal to a leaf or a node.
fn padding() -> Hash {
    Sha256::new().chain_update([2u8]).finalize().into()
}

/// What the key signs: a root, with a label no other signature carries.
#[must_use]
pub fn root_message(root: &Hash) -> [u8; 57] {
    const LABEL: &[u8; 25] = b"leasehold-grant-batch-v1\n";
    let mut m = [0u8; 57];
    m[..25].copy_from_slice(LABEL);
    m[25..].copy_from_slice(root);
    m
}

/// One grant's place in a signed batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// The leaf's position; its bits say, level by level from the leaf up,
    /// whether the sibling is on the right (0) or the left (1).
    pub index: u32,
    pub siblings: Vec<Hash>,
}

/// Signs a batch of leaves: one signature, and a proof for each leaf in
/// order. An empty batch gives an empty list.
#[must_use]
pub fn sign_batch(key: &SigningKey, leaves: &[Hash]) -> (Signature, Vec<Proof>) {
    let mut proofs: Vec<Proof> = (0..leaves.len())
        .map(|i| Proof {
            index: u32::try_from(i).unwrap_or(u32::MAX),
            siblings: Vec::new(),
        })
        .collect();
    let mut level: Vec<Hash> = leaves.to_vec();
    // Which node of the current level each leaf is under.
    let mut at: Vec<usize> = (0..leaves.len()).collect();
    while level.len() > 1 {
        if level.len() % 2 == 1 {
            level.push(padding());
        }
        for (proof, pos) in proofs.iter_mut().zip(at.iter_mut()) {
            proof.siblings.push(level[*pos ^ 1]);
            *pos /= 2;
        }
        level = level
            .chunks_exact(2)
            .map(|pair| node(&pair[0], &pair[1]))
            .collect();
    }
    let root = level.first().copied().unwrap_or_else(padding);
    (key.sign(&root_message(&root)), proofs)
}

/// Lower-case hex, two digits a byte: hashes and signatures as grants carry
/// them, keys and tokens as the store keeps them. (The `hex` crate collects
/// its string from an iterator of `char`s: on the renew path that was 3% of
/// the server's CPU.)
#[must_use]
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// The root a leaf and its proof lead to.
#[must_use]
pub fn root_of(leaf: Hash, proof: &Proof) -> Hash {
    let mut hash = leaf;
    let mut index = proof.index;
    for sibling in &proof.siblings {
        hash = if index & 1 == 0 {
            node(&hash, sibling)
        } else {
            node(sibling, &hash)
        };
        index >>= 1;
    }
    hash
}

/// Whether `signature` over the root that a grant's signed bytes and its
/// proof lead to was made with `key`. A proof deeper than a batch can make,
/// or an index outside its tree, is refused.
#[must_use]
pub fn verify(
    key: &VerifyingKey,
    signed_bytes: &[u8],
    proof: &Proof,
    signature: &Signature,
) -> bool {
    // MAX_BATCH = 2^10.
    let depth = proof.siblings.len();
    if depth > 10 || u64::from(proof.index) >> depth != 0 {
        return false;
    }
    key.verify(
        &root_message(&root_of(leaf(signed_bytes), proof)),
        signature,
    )
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[9; 32])
    }

    #[test]
    fn to_hex_matches_the_hex_crate() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(to_hex(&bytes), hex::encode(&bytes));
        assert_eq!(to_hex(&[]), "");
    }

    fn grants(n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("grant {i}").into_bytes()).collect()
    }

    fn leaves(grants: &[Vec<u8>]) -> Vec<Hash> {
        grants.iter().map(|g| leaf(g)).collect()
    }

    #[test]
    fn every_grant_of_every_batch_size_verifies() {
        let key = key();
        for n in [1, 2, 3, 4, 5, 7, 8, 9, 64, 100, MAX_BATCH] {
            let grants = grants(n);
            let (signature, proofs) = sign_batch(&key, &leaves(&grants));
            assert_eq!(proofs.len(), n);
            assert!(
                verify(
                    &key.verifying_key(),
                    &grants[n - 1],
                    &proofs[n - 1],
                    &signature
                ),
                "batch of {n}"
            );
            // Every proof leads to the root that signature covers.
            let root = root_of(leaf(&grants[0]), &proofs[0]);
            for (grant, proof) in grants.iter().zip(&proofs) {
                assert_eq!(
                    root_of(leaf(grant), proof),
                    root,
                    "batch of {n}, grant {}",
                    proof.index
                );
                assert_eq!(
                    proof.siblings.len(),
                    n.next_power_of_two().trailing_zeros() as usize
                );
            }
        }
    }

    #[test]
    fn a_batch_of_one_is_a_signature_over_its_leaf() {
        let key = key();
        let (signature, proofs) = sign_batch(&key, &[leaf(b"only")]);
        assert_eq!(
            proofs,
            vec![Proof {
                index: 0,
                siblings: vec![]
            }]
        );
        assert!(
            key.verifying_key()
                .verify(&root_message(&leaf(b"only")), &signature)
                .is_ok()
        );
    }

    #[test]
    fn a_changed_grant_proof_index_or_key_fails() {
        let key = key();
        let grants = grants(5);
        let leaves = leaves(&grants);
        let (signature, proofs) = sign_batch(&key, &leaves);
        let vk = key.verifying_key();
        // Another grant's bytes with this grant's proof.
        assert!(!verify(&vk, b"grant 9", &proofs[2], &signature));
        assert!(!verify(&vk, &grants[1], &proofs[2], &signature));
        // A moved index, a changed sibling, a dropped or added level.
        let mut p = proofs[2].clone();
        p.index ^= 1;
        assert!(!verify(&vk, &grants[2], &p, &signature));
        let mut p = proofs[2].clone();
        p.siblings[0][0] ^= 1;
        assert!(!verify(&vk, &grants[2], &p, &signature));
        let mut p = proofs[2].clone();
        p.siblings.pop();
        assert!(!verify(&vk, &grants[2], &p, &signature));
        let mut p = proofs[2].clone();
        p.siblings.push([0; 32]);
        assert!(!verify(&vk, &grants[2], &p, &signature));
        // An index beyond the tree, and another server's key.
        let p = Proof {
            index: 1 << 3,
            ..proofs[2].clone()
        };
        assert!(!verify(&vk, &grants[2], &p, &signature));
        assert!(!verify(
            &SigningKey::from_bytes(&[8; 32]).verifying_key(),
            &grants[2],
            &proofs[2],
            &signature
        ));
        // Bytes that spell an inner node's two children are no leaf of it.
        let children = [leaves[0], leaves[1]].concat();
        let short = Proof {
            index: 0,
            siblings: proofs[0].siblings[1..].to_vec(),
        };
        assert_eq!(
            root_of(node(&leaves[0], &leaves[1]), &short),
            root_of(leaves[0], &proofs[0])
        );
        assert!(!verify(&vk, &children, &short, &signature));
    }
}
