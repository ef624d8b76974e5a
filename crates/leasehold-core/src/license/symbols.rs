//! The 32 symbols license codes and key texts are written in, and the checks
//! over them: base32 in an alphabet without look-alikes, a per-group check
//! symbol and a whole-text check.

use sha2::{Digest, Sha256};

/// The alphabet: digits and upper-case letters without 0, 1, O and I.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Characters people type for a symbol that is not in [`ALPHABET`].
pub const AMBIGUOUS: &[char] = &['0', '1', 'O', 'I'];

/// The character for a symbol value (only the low 5 bits count).
#[must_use]
pub fn to_char(symbol: u8) -> char {
    char::from(ALPHABET[usize::from(symbol & 31)])
}

/// The symbol value of a character, case-insensitively; `None` when the
/// character is not in the alphabet.
#[must_use]
pub fn from_char(c: char) -> Option<u8> {
    let upper = c.to_ascii_uppercase();
    let pos = ALPHABET.iter().position(|&a| char::from(a) == upper)?;
    u8::try_from(pos).ok()
}

/// Bytes to symbols, 5 bits each, most significant first; the last symbol is
/// padded with zero bits. `n` bytes give `ceil(8n / 5)` symbols.
#[must_use]
pub fn encode(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() * 8 / 5 + 1);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(((acc >> bits) & 31) as u8);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(((acc << (5 - bits)) & 31) as u8);
    }
    out
}

/// Symbols back to bytes, strictly: `None` unless the symbols are exactly what
/// [`encode`] makes for some bytes (a possible length, zero padding bits).
#[must_use]
pub fn decode(symbols: &[u8]) -> Option<Vec<u8>> {
    if symbols.iter().any(|&s| s > 31) {
        return None;
    }
    let out = decode_prefix(symbols);
    // Leftover bits are padding: fewer than a symbol's worth, and all zero.
    let padding = symbols.len() * 5 - out.len() * 8;
    let last = symbols.last().copied().unwrap_or(0);
    if padding >= 5 || last & ((1u8 << padding) - 1) != 0 {
        return None;
    }
    Some(out)
}

/// The whole bytes at the start of a symbol sequence, ignoring leftover bits
/// (and any bits above the low five of each symbol): for reading a header out
/// of a code that may be damaged further on.
#[must_use]
pub fn decode_prefix(symbols: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(symbols.len() * 5 / 8);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &s in symbols {
        acc = (acc << 5) | u32::from(s & 31);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xFF) as u8);
        }
        acc &= (1 << bits) - 1;
    }
    out
}

/// Multiplication in GF(32) with the primitive polynomial x^5 + x^2 + 1.
fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0u8;
    for _ in 0..5 {
        if b & 1 != 0 {
            product ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0b10_0000 != 0 {
            a ^= 0b10_0101;
        }
    }
    product & 31
}

/// The check symbol of one group: `sum(alpha^(i+1) * d_i)` in GF(32). Because
/// every weight differs and none is zero, it catches every single changed
/// symbol and every swap of two symbols within a group of up to 30 symbols,
/// the check symbol included (its own weight is 1).
#[must_use]
pub fn group_check(data: &[u8]) -> u8 {
    const ALPHA: u8 = 2;
    let mut weight = ALPHA;
    let mut check = 0u8;
    for &d in data {
        check ^= gf_mul(weight, d & 31);
        weight = gf_mul(weight, ALPHA);
    }
    check
}

/// `n` check symbols over a whole symbol sequence, in order: SHA-256 of a
/// domain tag and the symbols, first `5n` bits. Catches groups out of order,
/// repeated or missing, which the per-group checks cannot see.
#[must_use]
pub fn whole_check(domain: &[u8], symbols: &[u8], n: usize) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(domain);
    h.update(symbols);
    let digest = h.finalize();
    let mut out = encode(&digest);
    out.truncate(n);
    out
}

/// Symbols to text.
#[must_use]
pub fn to_text(symbols: &[u8]) -> String {
    symbols.iter().map(|&s| to_char(s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabet_has_32_distinct_unambiguous_symbols() {
        let mut v = ALPHABET.to_vec();
        v.sort_unstable();
        v.dedup();
        assert_eq!(v.len(), 32);
        for c in AMBIGUOUS {
            assert_eq!(from_char(*c), None);
        }
        assert_eq!(from_char('z'), Some(31));
        assert_eq!(to_char(0), '2');
    }

    #[test]
    fn base32_round_trips_every_length() {
        for len in 0usize..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let sym = encode(&bytes);
            assert_eq!(sym.len(), (len * 8).div_ceil(5));
            assert_eq!(decode(&sym), Some(bytes));
        }
    }

    #[test]
    fn base32_decode_is_strict() {
        // One symbol is never a whole byte; nonzero padding bits are refused.
        assert_eq!(decode(&[3]), None);
        assert_eq!(decode(&[0, 1]), None);
        assert_eq!(decode(&[0, 4]), Some(vec![1]));
        assert_eq!(decode(&[40, 0]), None);
        assert_eq!(decode_prefix(&[0, 4, 31]), vec![1]);
    }

    #[test]
    fn group_check_catches_every_single_change_and_swap() {
        let data = [5u8, 17, 0, 31, 9];
        let check = group_check(&data);
        let mut group = data.to_vec();
        group.push(check);
        let verify = |g: &[u8]| group_check(&g[..5]) == g[5];
        assert!(verify(&group));
        for pos in 0..6 {
            for v in 0..32u8 {
                if v == group[pos] {
                    continue;
                }
                let mut g = group.clone();
                g[pos] = v;
                assert!(!verify(&g), "missed change at {pos} to {v}");
            }
            for other in pos + 1..6 {
                if group[pos] == group[other] {
                    continue;
                }
                let mut g = group.clone();
                g.swap(pos, other);
                assert!(!verify(&g), "missed swap {pos}<->{other}");
            }
        }
    }

    #[test]
    fn whole_check_depends_on_order() {
        let a = whole_check(b"t", &[1, 2, 3, 4], 3);
        let b = whole_check(b"t", &[3, 4, 1, 2], 3);
        assert_eq!(a.len(), 3);
        assert_ne!(a, b);
    }
}
