//! License codes as text: issuing (encode and sign), parsing (normalize and
//! check, telling the user which group has a typo) and verifying against
//! trusted vendor keys.
//!
//! # Format (versions 2 and 3)
//!
//! Bytes: `version (1) | terms length (LEB128) | terms (postcard, see
//! `wire.rs`) | vendor key fingerprint (8) | Ed25519 signature (64)`; the
//! signature covers everything before it. Written as text the way every
//! block is (see `block.rs`): groups of 5 symbols and a check symbol, with 3
//! whole-code check symbols. Version 1 is version 2 without the activation
//! rule at the end of the terms; it is still read (as needing no activation).
//! Version 3 is version 2 followed by the seat rules (overdraft, queue,
//! named users, borrowing, linger, feature seats), each tagged, so a rule
//! added later is refused by name by a server that does not know it; a code
//! without seat rules is still written as version 2.
//!
//! A typical code (10 seats, an expiry date, product `acme-cad`, customer
//! `Example GmbH`, no features, not node-locked, no activation) is 128 bytes:
//! 208 symbols in 42 groups, 291 characters with dashes. 80 of those bytes are
//! the 64-byte signature, the 8-byte fingerprint and the 16-byte license id
//! (postcard varints, days for dates and seconds for the issue time keep the
//! rest small). Each feature, node lock or longer name adds its length plus
//! one byte; an activation limit two to four.
//!
//! # Reading
//!
//! [`parse`] accepts surrounding whitespace, line breaks and spaces anywhere,
//! lower case, and codes with or without dashes. It does **not** silently map
//! look-alikes (`O`→`0`, `I`/`L`→`1`): the alphabet has no `0`, `1`, `O` or
//! `I`, so one of those means a mistyped character and the user is told which
//! group holds it ([`LicenseError::AmbiguousCharacter`]) rather than us
//! guessing what was meant.

use super::block::{self, BlockError};
use super::error::LicenseError;
use super::keys::{KeyFingerprint, VendorKeyPair, VendorPublicKey};
use super::terms::LicenseTerms;
use super::wire;
use crate::time::Timestamp;
use std::fmt;
use std::str::FromStr;

/// The newest format version this build writes (for a code with seat rules;
/// one without is written as version 2, which older servers read). It reads
/// every version from 1 (codes from before activation, read as needing none).
pub const FORMAT_VERSION: u8 = 3;

const WHOLE_CHECK_DOMAIN: &[u8] = b"leasehold-license-code";
const FINGERPRINT_LEN: usize = 8;
const SIGNATURE_LEN: usize = 64;
/// Fewer letters and digits than this is not a damaged code but something else.
const MIN_SYMBOLS: usize = 100;

/// Issues a license code: checks the terms, encodes them, signs them with
/// `key`, and prints the code as one line of dash-separated groups.
///
/// `valid_from` / `valid_until` must fall on 00:00 UTC (codes store whole days;
/// see [`super::valid_from_date`] / [`super::valid_until_date`]); `issued_at`
/// is kept to the whole second.
///
/// # Errors
/// [`LicenseError::InvalidTerms`] when the terms break a rule (no seats, empty
/// product, over-long texts, an impossible validity window, …).
pub fn issue(key: &VendorKeyPair, terms: &LicenseTerms) -> Result<String, LicenseError> {
    let (version, terms) = wire::encode(terms)?;
    let mut bytes = block::header(version, &terms);
    bytes.extend_from_slice(&key.public().fingerprint().0);
    let signature = key.sign(&bytes);
    bytes.extend_from_slice(&signature);
    Ok(render(&bytes))
}

/// A license code read from text, not yet verified: its terms cannot be
/// trusted until [`LicenseCode::verify`] says so.
#[derive(Clone, PartialEq, Eq)]
pub struct LicenseCode {
    terms: LicenseTerms,
    fingerprint: KeyFingerprint,
    signature: [u8; SIGNATURE_LEN],
    /// Exactly the bytes the signature covers; verification checks these, not
    /// `terms`, which were decoded from them.
    signed: Vec<u8>,
}

impl fmt::Debug for LicenseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LicenseCode")
            .field("terms", &self.terms)
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// Reads a license code from text.
///
/// # Errors
/// - [`LicenseError::NotACode`]: empty, too short or too long, characters no
///   code contains, or a public key pasted in its place;
/// - [`LicenseError::AmbiguousCharacter`] / [`LicenseError::Checksum`]: a typo
///   in the group named (the first bad one);
/// - [`LicenseError::Truncated`]: groups missing at the end;
/// - [`LicenseError::Corrupt`]: groups out of order, repeated or missing, or
///   contents that cannot be read;
/// - [`LicenseError::UnsupportedVersion`]: a newer format;
/// - [`LicenseError::InvalidTerms`]: readable terms that break a rule.
pub fn parse(text: &str) -> Result<LicenseCode, LicenseError> {
    if text
        .trim_start()
        .to_ascii_uppercase()
        .starts_with(super::keys::PUBLIC_KEY_PREFIX)
    {
        return Err(LicenseError::not_a_code(
            "it is a vendor public key (`LHPK-…`); add it as a trusted key, and paste the license code here",
        ));
    }
    from_bytes(&BLOCK.read(text)?)
}

/// A license code from its bytes (as an activation request carries it).
///
/// # Errors
/// As [`parse`], for the contents.
pub(crate) fn from_bytes(bytes: &[u8]) -> Result<LicenseCode, LicenseError> {
    let version = bytes.first().copied().unwrap_or(0);
    if !BLOCK.versions.contains(&version) {
        return Err(LicenseError::UnsupportedVersion { version });
    }
    let (version, terms_bytes, tail) = block::split(bytes, FINGERPRINT_LEN + SIGNATURE_LEN)?;
    let (fp_bytes, sig_bytes) = tail.split_at(FINGERPRINT_LEN);
    let terms = wire::decode(version, terms_bytes)?;
    let mut fingerprint = [0u8; FINGERPRINT_LEN];
    fingerprint.copy_from_slice(fp_bytes);
    let mut signature = [0u8; SIGNATURE_LEN];
    signature.copy_from_slice(sig_bytes);
    let signed_len = bytes.len() - SIGNATURE_LEN;
    Ok(LicenseCode {
        terms,
        fingerprint: KeyFingerprint(fingerprint),
        signature,
        signed: bytes[..signed_len].to_vec(),
    })
}

impl FromStr for LicenseCode {
    type Err = LicenseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

impl LicenseCode {
    /// The terms as the code states them; not to be relied on before
    /// [`Self::verify`] (use [`VerifiedLicense::terms`]).
    #[must_use]
    pub fn terms(&self) -> &LicenseTerms {
        &self.terms
    }

    /// Which vendor key says it signed this code.
    #[must_use]
    pub fn fingerprint(&self) -> KeyFingerprint {
        self.fingerprint
    }

    #[must_use]
    pub fn signature(&self) -> &[u8; SIGNATURE_LEN] {
        &self.signature
    }

    /// The bytes the signature covers.
    #[must_use]
    pub fn signed_bytes(&self) -> &[u8] {
        &self.signed
    }

    /// The code's normalized text: upper case, dash-separated groups, one line.
    #[must_use]
    pub fn canonical(&self) -> String {
        let mut bytes = self.signed.clone();
        bytes.extend_from_slice(&self.signature);
        render(&bytes)
    }

    /// Checks the signature with the trusted key whose fingerprint the code
    /// names. Does not look at the validity window: see
    /// [`VerifiedLicense::check_window`].
    ///
    /// # Errors
    /// [`LicenseError::UntrustedVendor`] when no trusted key has the code's
    /// fingerprint; [`LicenseError::BadSignature`] when one has but the
    /// signature does not verify.
    pub fn verify(&self, trusted: &[VendorPublicKey]) -> Result<VerifiedLicense, LicenseError> {
        let mut candidates = trusted
            .iter()
            .filter(|k| k.fingerprint() == self.fingerprint)
            .peekable();
        if candidates.peek().is_none() {
            return Err(LicenseError::UntrustedVendor {
                fingerprint: self.fingerprint,
            });
        }
        let vendor = candidates
            .find(|k| k.verify(&self.signed, &self.signature).is_ok())
            .ok_or(LicenseError::BadSignature)?;
        Ok(VerifiedLicense {
            terms: self.terms.clone(),
            vendor: *vendor,
            code: self.canonical(),
        })
    }
}

/// A license code whose signature a trusted vendor key has verified. Only
/// [`LicenseCode::verify`] makes one, so holding one means the terms are the
/// vendor's; the fields are private for that reason.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedLicense {
    terms: LicenseTerms,
    vendor: VendorPublicKey,
    /// The canonical code text, to store and show.
    code: String,
}

impl fmt::Debug for VerifiedLicense {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedLicense")
            .field("terms", &self.terms)
            .field("vendor", &self.vendor.fingerprint())
            .field("code", &"<redacted>")
            .finish()
    }
}

impl VerifiedLicense {
    #[must_use]
    pub fn terms(&self) -> &LicenseTerms {
        &self.terms
    }

    #[must_use]
    pub fn into_terms(self) -> LicenseTerms {
        self.terms
    }

    /// The vendor key that signed the code.
    #[must_use]
    pub fn vendor(&self) -> &VendorPublicKey {
        &self.vendor
    }

    /// The canonical code text.
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Whether the code counts at `now`.
    ///
    /// # Errors
    /// [`LicenseError::NotYetValid`] before its start day,
    /// [`LicenseError::Expired`] after its expiry day.
    pub fn check_window(&self, now: Timestamp) -> Result<(), LicenseError> {
        match (self.terms.valid_from, self.terms.valid_until) {
            (Some(from), _) if now < from => Err(LicenseError::NotYetValid { from }),
            (_, Some(until)) if now >= until => Err(LicenseError::Expired { until }),
            _ => Ok(()),
        }
    }
}

/// How license codes are written as text.
pub(crate) const BLOCK: block::Kind = block::Kind {
    domain: WHOLE_CHECK_DOMAIN,
    noun: "license code",
    min_symbols: MIN_SYMBOLS,
    typical: "a license code has about 200, in groups of 6",
    versions: &[1, 2, FORMAT_VERSION],
    tail: FINGERPRINT_LEN + SIGNATURE_LEN,
};

fn render(bytes: &[u8]) -> String {
    BLOCK.render(bytes)
}

impl From<BlockError> for LicenseError {
    fn from(e: BlockError) -> Self {
        match e {
            BlockError::NotABlock(reason) => Self::NotACode { reason },
            BlockError::Checksum { group, text } => Self::Checksum { group, text },
            BlockError::Ambiguous { group, text, ch } => {
                Self::AmbiguousCharacter { group, text, ch }
            }
            BlockError::Truncated { have, expected } => Self::Truncated { have, expected },
            BlockError::Corrupt(reason) => Self::Corrupt { reason },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::block::{GROUP_LEN, MAX_INPUT_LEN};
    use crate::license::dates::{DAY_MS, valid_from_date, valid_until_date};
    use crate::license::symbols;
    use crate::license::wire::tests::sample;

    fn key(n: u8) -> VendorKeyPair {
        VendorKeyPair::from_seed(&[n; 32])
    }

    fn sample_code() -> String {
        issue(&key(1), &sample()).unwrap()
    }

    /// The signed bytes of a code plus its signature, to tamper with.
    fn raw(code: &str) -> Vec<u8> {
        let c = parse(code).unwrap();
        let mut bytes = c.signed_bytes().to_vec();
        bytes.extend_from_slice(c.signature());
        bytes
    }

    fn groups(code: &str) -> Vec<String> {
        code.split('-').map(str::to_owned).collect()
    }

    #[test]
    fn round_trips_and_reports_its_length() {
        let code = sample_code();
        let parsed = parse(&code).unwrap();
        assert_eq!(parsed.terms(), &sample());
        assert_eq!(parsed.canonical(), code);
        assert_eq!(parsed.fingerprint(), key(1).public().fingerprint());
        let verified = parsed.verify(&[key(2).public(), key(1).public()]).unwrap();
        assert_eq!(verified.terms(), &sample());
        assert_eq!(verified.vendor(), &key(1).public());
        assert_eq!(verified.code(), code);
        assert!(!format!("{verified:?}").contains(&code[..30]));

        assert!(
            code.chars()
                .all(|c| c == '-' || symbols::from_char(c).is_some())
        );
        let g = groups(&code);
        assert!(g[..g.len() - 1].iter().all(|g| g.len() == GROUP_LEN));
        assert!((2..=GROUP_LEN).contains(&g[g.len() - 1].len()));
        // Keep the module doc's length statement honest.
        assert_eq!(g.len(), 42, "{code}");
        assert_eq!(code.len(), 291);
        assert_eq!(code.lines().count(), 1);
    }

    #[test]
    fn node_locked_terms_with_features_round_trip() {
        let mut t = sample();
        t.node_lock = Some("4f1c2a9e0b7d4e2f8a6c1b3d5e7f9a0b".into());
        t.features = vec!["export".into(), "render-farm".into()];
        t.valid_from = Some(valid_from_date("2026-01-01").unwrap());
        let code = issue(&key(1), &t).unwrap();
        let v = parse(&code).unwrap().verify(&[key(1).public()]).unwrap();
        assert_eq!(v.into_terms(), t);
    }

    #[test]
    fn accepts_lower_case_whitespace_line_breaks_and_no_dashes() {
        let code = sample_code();
        let messy: String = code
            .to_lowercase()
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                if i % 40 == 39 {
                    vec![c, '\r', '\n', ' ']
                } else {
                    vec![c]
                }
            })
            .collect();
        let messy = format!("\n\t  {messy}  \n");
        assert_eq!(parse(&messy).unwrap().canonical(), code);
        assert_eq!(parse(&code.replace('-', "")).unwrap().canonical(), code);
        assert_eq!(parse(&code.replace('-', " ")).unwrap().canonical(), code);
        assert_eq!(code.parse::<LicenseCode>().unwrap().canonical(), code);
    }

    #[test]
    fn a_code_quoted_in_an_email_reply_is_read_without_its_marks() {
        let code = sample_code();
        let (a, b) = code.split_at(code.len() / 2);
        for quoted in [
            format!("> {a}\n> {b}\n"),
            format!(">> {a}\r\n>>{b}"),
            format!("  > > {a}\n  >   {b}"),
        ] {
            assert_eq!(parse(&quoted).unwrap().canonical(), code, "{quoted}");
        }
        // A `>` inside a line is still not part of any code.
        let inside = format!("{a}>{b}");
        assert!(parse(&inside).unwrap_err().to_string().contains("`>`"));
    }

    #[test]
    fn every_single_changed_character_names_its_group() {
        let code = sample_code();
        let chars: Vec<char> = code.chars().collect();
        for (pos, &c) in chars.iter().enumerate() {
            if c == '-' {
                continue;
            }
            let group = pos / (GROUP_LEN + 1) + 1;
            for replacement in ['A', 'Z', '7'] {
                if replacement == c {
                    continue;
                }
                let mut changed = chars.clone();
                changed[pos] = replacement;
                let changed: String = changed.into_iter().collect();
                match parse(&changed) {
                    Err(LicenseError::Checksum { group: g, text }) => {
                        assert_eq!(g, group, "change at {pos}");
                        assert_eq!(text, groups(&changed)[group - 1]);
                    }
                    other => panic!("change at {pos}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn the_message_names_the_group_and_shows_it() {
        let mut g = groups(&sample_code());
        let replacement = if g[2].starts_with('A') { "B" } else { "A" };
        g[2].replace_range(0..1, replacement);
        let e = parse(&g.join("-")).unwrap_err();
        assert_eq!(e.code(), "license_checksum");
        assert_eq!(
            e.to_string(),
            format!(
                "group 3 (`{}`) has a typo (a wrong, missing or extra character); check it against the original",
                g[2]
            )
        );
    }

    #[test]
    fn look_alikes_are_reported_not_guessed() {
        let g = groups(&sample_code());
        for ch in ['0', '1', 'O', 'I', 'o', 'i'] {
            let mut bad = g.clone();
            bad[3].replace_range(1..2, &ch.to_string());
            match parse(&bad.join("-")) {
                Err(LicenseError::AmbiguousCharacter {
                    group: 4, ch: got, ..
                }) => {
                    assert_eq!(got, ch.to_ascii_uppercase());
                }
                other => panic!("{ch}: {other:?}"),
            }
        }
    }

    #[test]
    fn missing_or_extra_character_names_its_group() {
        let g = groups(&sample_code());
        let mut short = g.clone();
        short[4].remove(2);
        let mut long = g.clone();
        long[4].insert(2, 'A');
        for bad in [short, long] {
            let with_dashes = bad.join("-");
            assert!(
                matches!(
                    parse(&with_dashes),
                    Err(LicenseError::Checksum { group: 5, .. })
                ),
                "{with_dashes}"
            );
            // Without dashes the rest shifts, but the first bad group is still 5.
            let without = bad.concat();
            assert!(
                matches!(
                    parse(&without),
                    Err(LicenseError::Checksum { group: 5, .. })
                ),
                "{without}"
            );
        }
    }

    #[test]
    fn swapped_repeated_or_missing_groups_are_caught() {
        let g = groups(&sample_code());
        let mut swapped = g.clone();
        swapped.swap(6, 7);
        let mut repeated = g.clone();
        repeated.insert(8, g[8].clone());
        let mut missing = g.clone();
        missing.remove(10);
        assert_eq!(
            parse(&missing.join("-")),
            Err(LicenseError::Truncated {
                have: g.len() - 1,
                expected: g.len()
            })
        );
        for bad in [swapped, repeated] {
            let e = parse(&bad.join("-")).unwrap_err();
            assert!(matches!(e, LicenseError::Corrupt { .. }), "{e:?}");
            assert!(
                e.to_string().contains("out of order, repeated or missing"),
                "{e}"
            );
            assert_eq!(e.code(), "license_corrupt");
        }
    }

    #[test]
    fn cut_off_codes_say_how_much_is_missing() {
        let code = sample_code();
        let g = groups(&code);
        let n = g.len();
        let cut = g[..n - 3].join("-");
        assert_eq!(
            parse(&cut),
            Err(LicenseError::Truncated {
                have: n - 3,
                expected: n
            })
        );
        // Cut inside a group.
        let cut = &code[..code.len() - 10];
        assert!(
            matches!(parse(cut), Err(LicenseError::Truncated { expected, .. }) if expected == n),
            "{cut}"
        );
        // Only the last group's check symbol lost.
        let cut = &code[..code.len() - 1];
        assert!(matches!(
            parse(cut),
            Err(LicenseError::Truncated { .. } | LicenseError::Checksum { .. })
        ));
    }

    #[test]
    fn things_that_are_not_codes() {
        let pk = key(1).public().to_string();
        let long = "A".repeat(MAX_INPUT_LEN + 1);
        let half = &sample_code()[..80];
        for (text, want) in [
            ("", "empty"),
            ("  \n ", "empty"),
            ("hello world", "only 10"),
            (half, "only"),
            (&pk, "public key"),
            ("Your code is 2ABC-DEF.", "contains `.`"),
            ("ключ", "contains"),
            (&long, "longer than any"),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.code(), "not_a_license_code", "{text}");
            assert!(e.to_string().contains(want), "{text}: {e}");
        }
        // Long alphanumeric text that is no code: group 1 fails.
        let e = parse(&"QWERTZ".repeat(40)).unwrap_err();
        assert_eq!(e.code(), "license_checksum");
    }

    #[test]
    fn newer_format_versions_are_named() {
        let mut bytes = raw(&sample_code());
        bytes[0] = 4;
        assert_eq!(
            parse(&render(&bytes)),
            Err(LicenseError::UnsupportedVersion { version: 4 })
        );
    }

    #[test]
    fn unreadable_contents_are_corrupt_and_bad_terms_invalid() {
        let bytes = raw(&sample_code());
        // Header claims more terms than there are.
        let mut longer = bytes.clone();
        longer[1] += 1;
        assert_eq!(
            parse(&render(&longer)).unwrap_err().code(),
            "license_corrupt"
        );
        // Terms bytes that are not terms.
        let mut garbage = vec![FORMAT_VERSION, 3, 0xFF, 0xFF, 0xFF];
        garbage.extend_from_slice(&[0; FINGERPRINT_LEN + SIGNATURE_LEN]);
        assert_eq!(
            parse(&render(&garbage)).unwrap_err().code(),
            "license_corrupt"
        );
        // A readable code whose terms break a rule: seats 0. The seats byte
        // follows version, length, id (16) and product ("acme-cad", 1 + 8).
        let seats_at = 2 + 16 + 9;
        assert_eq!(bytes[seats_at], 10);
        let mut zero_seats = bytes.clone();
        zero_seats[seats_at] = 0;
        let e = parse(&render(&zero_seats)).unwrap_err();
        assert_eq!(e.code(), "invalid_license_terms", "{e}");
    }

    #[test]
    fn a_code_from_another_vendor_is_untrusted() {
        let code = sample_code();
        let e = parse(&code)
            .unwrap()
            .verify(&[key(2).public()])
            .unwrap_err();
        assert_eq!(
            e,
            LicenseError::UntrustedVendor {
                fingerprint: key(1).public().fingerprint()
            }
        );
        assert!(
            e.to_string()
                .contains(&key(1).public().fingerprint().to_string())
        );
        assert_eq!(
            parse(&code).unwrap().verify(&[]).unwrap_err().code(),
            "untrusted_vendor"
        );
    }

    #[test]
    fn tampered_terms_with_fresh_checksums_fail_the_signature() {
        let mut bytes = raw(&sample_code());
        let seats_at = 2 + 16 + 9;
        bytes[seats_at] = 99; // 10 seats -> 99 seats
        let forged = parse(&render(&bytes)).unwrap();
        assert_eq!(forged.terms().seats, 99);
        assert_eq!(
            forged.verify(&[key(1).public()]),
            Err(LicenseError::BadSignature)
        );

        // Claiming another trusted vendor's fingerprint does not help either.
        let mut bytes = raw(&sample_code());
        let fp_at = bytes.len() - SIGNATURE_LEN - FINGERPRINT_LEN;
        bytes[fp_at..fp_at + FINGERPRINT_LEN].copy_from_slice(&key(2).public().fingerprint().0);
        let forged = parse(&render(&bytes)).unwrap();
        assert_eq!(
            forged.verify(&[key(1).public(), key(2).public()]),
            Err(LicenseError::BadSignature)
        );
    }

    #[test]
    fn invalid_terms_are_not_issued() {
        let mut t = sample();
        t.seats = 0;
        assert_eq!(
            issue(&key(1), &t).unwrap_err().code(),
            "invalid_license_terms"
        );
    }

    #[test]
    fn window_checks_with_an_explicit_clock() {
        let mut t = sample();
        let from = valid_from_date("2026-03-01").unwrap();
        let until = valid_until_date("2026-03-31").unwrap();
        t.valid_from = Some(from);
        t.valid_until = Some(until);
        let v = parse(&issue(&key(1), &t).unwrap())
            .unwrap()
            .verify(&[key(1).public()])
            .unwrap();
        assert_eq!(
            v.check_window(Timestamp(from.0 - 1)),
            Err(LicenseError::NotYetValid { from })
        );
        assert_eq!(v.check_window(from), Ok(()));
        assert_eq!(
            v.check_window(Timestamp(until.0 - 1)),
            Ok(()),
            "the expiry day itself counts"
        );
        assert_eq!(v.check_window(until), Err(LicenseError::Expired { until }));
        assert!(
            v.check_window(until)
                .unwrap_err()
                .to_string()
                .contains("2026-03-31")
        );
        assert!(
            v.check_window(Timestamp(0))
                .unwrap_err()
                .to_string()
                .contains("2026-03-01")
        );

        t.valid_from = None;
        t.valid_until = None;
        let v = parse(&issue(&key(1), &t).unwrap())
            .unwrap()
            .verify(&[key(1).public()])
            .unwrap();
        assert_eq!(v.check_window(Timestamp(i64::MAX)), Ok(()));
        assert_eq!(v.check_window(Timestamp(-DAY_MS)), Ok(()));
    }

    /// A small deterministic generator, so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn garbage_and_mangled_codes_never_panic_or_verify() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let pool: Vec<char> = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcxyz01OIl- \n\t-.!é€\u{0}\u{200b}"
            .chars()
            .collect();
        for _ in 0..3000 {
            let len = rng.below(400);
            let s: String = (0..len).map(|_| pool[rng.below(pool.len())]).collect();
            let _ = parse(&s);
        }

        let code = sample_code();
        let trusted = [key(1).public()];
        for _ in 0..3000 {
            let mut chars: Vec<char> = code.chars().collect();
            for _ in 0..=rng.below(3) {
                if chars.is_empty() {
                    break;
                }
                let at = rng.below(chars.len());
                match rng.below(5) {
                    0 => chars[at] = pool[rng.below(pool.len())],
                    1 => {
                        chars.remove(at);
                    }
                    2 => chars.insert(at, pool[rng.below(pool.len())]),
                    3 => {
                        let other = rng.below(chars.len());
                        chars.swap(at, other);
                    }
                    _ => chars.truncate(at),
                }
            }
            let mangled: String = chars.into_iter().collect();
            if let Ok(parsed) = parse(&mangled) {
                // Whatever still parses and verifies must be the original code.
                if parsed.verify(&trusted).is_ok() {
                    assert_eq!(parsed.canonical(), code, "{mangled}");
                }
            }
        }
    }
}
