//! Vendor keys: the Ed25519 key pair a vendor signs license codes with, its
//! key file, and the public key in a text form safe to copy and paste.

use super::error::LicenseError;
use super::symbols;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// The prefix of a public key's text form.
pub const PUBLIC_KEY_PREFIX: &str = "LHPK-";

/// The first line of a key file, naming its format and version.
const KEY_FILE_HEADER: &str = "leasehold-vendor-key v1";

/// Check symbols at the end of a public key's text: one per half of the key's
/// 52 symbols, so every single typo and swap within a half is caught.
const PUBLIC_KEY_CHECK_SYMBOLS: usize = 2;

/// Symbols of a public key's 32 bytes.
const PUBLIC_KEY_SYMBOLS: usize = 52;

fn public_key_check(body: &[u8]) -> [u8; 2] {
    let (a, b) = body.split_at(body.len() / 2);
    [symbols::group_check(a), symbols::group_check(b)]
}

/// A vendor's signing key pair. The secret never appears in `Debug` output.
#[derive(Clone)]
pub struct VendorKeyPair {
    signing: SigningKey,
}

impl fmt::Debug for VendorKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VendorKeyPair")
            .field("public", &self.public())
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl VendorKeyPair {
    /// A fresh key pair from the operating system's random source.
    ///
    /// # Errors
    /// [`LicenseError::NoRandomness`] when the OS has no randomness to give.
    pub fn generate() -> Result<Self, LicenseError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| LicenseError::NoRandomness {
            reason: e.to_string(),
        })?;
        // `SigningKey` wipes its copy on drop; the seed on our stack is overwritten
        // here on a best-effort basis.
        let pair = Self::from_seed(&seed);
        seed.fill(0);
        Ok(pair)
    }

    /// The key pair for a 32-byte secret seed (tests; imports).
    #[must_use]
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self {
            signing: SigningKey::from_bytes(seed),
        }
    }

    #[must_use]
    pub fn public(&self) -> VendorPublicKey {
        VendorPublicKey(self.signing.verifying_key().to_bytes())
    }

    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// The key file's text: a versioned header, a comment, the secret and the
    /// public key (the public line doubles as a check of the secret):
    ///
    /// ```text
    /// leasehold-vendor-key v1
    /// # Leasehold vendor signing key. Keep it secret: …
    /// secret: <52 symbols>
    /// public: LHPK-…
    /// ```
    #[must_use]
    pub fn to_file_text(&self) -> String {
        format!(
            "{KEY_FILE_HEADER}\n\
             # Leasehold vendor signing key. Keep it secret and backed up: whoever holds it\n\
             # can issue license codes, and without it no more codes can be issued for this\n\
             # public key.\n\
             secret: {}\n\
             public: {}\n",
            symbols::to_text(&symbols::encode(self.signing.as_bytes())),
            self.public()
        )
    }

    /// Reads a key file's text (as [`Self::to_file_text`] writes it). Blank
    /// lines and `#` comments are ignored; the `public:` line, when present,
    /// must match the secret.
    ///
    /// # Errors
    /// [`LicenseError::BadKeyFile`] saying what is wrong: not a key file, a
    /// newer format, a missing or damaged secret, a public key that does not
    /// match.
    pub fn from_file_text(text: &str) -> Result<Self, LicenseError> {
        let bad = |reason: &str| LicenseError::BadKeyFile {
            reason: reason.to_owned(),
        };
        let mut lines = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        match lines.next() {
            Some(KEY_FILE_HEADER) => {}
            Some(h) if h.starts_with("leasehold-vendor-key ") => {
                return Err(bad("it is in a newer key file format; update Leasehold"));
            }
            Some(_) | None => {
                return Err(bad(
                    "it does not start with `leasehold-vendor-key v1`; is this the right file?",
                ));
            }
        }
        let mut secret = None;
        let mut public = None;
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| bad("a line is neither `secret: …` nor `public: …`"))?;
            let slot = match name.trim() {
                "secret" => &mut secret,
                "public" => &mut public,
                _ => return Err(bad("a line is neither `secret: …` nor `public: …`")),
            };
            if slot.replace(value.trim()).is_some() {
                return Err(bad("a line appears twice"));
            }
        }
        let secret = secret.ok_or_else(|| bad("the `secret:` line is missing"))?;
        let symbols = secret
            .chars()
            .map(symbols::from_char)
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| {
                bad("the secret contains characters a key never has; the file is damaged")
            })?;
        let seed: [u8; 32] = symbols::decode(&symbols)
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| bad("the secret has the wrong length; the file is damaged"))?;
        let pair = Self::from_seed(&seed);
        if let Some(public) = public {
            let stated: VendorPublicKey = public.parse().map_err(|_| {
                bad("the `public:` line is not a valid public key; the file is damaged")
            })?;
            if stated != pair.public() {
                return Err(bad(
                    "the secret does not match the `public:` line; the file is damaged",
                ));
            }
        }
        Ok(pair)
    }
}

/// A vendor's public key: what a server trusts to check license codes.
///
/// Text form (`Display` / `FromStr`): `LHPK-` then 54 symbols of the code
/// alphabet (52 for the key, 2 check symbols), e.g. `LHPK-8XQ4…`. Parsing
/// accepts lower case, surrounding whitespace and line breaks.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VendorPublicKey([u8; 32]);

impl VendorPublicKey {
    /// A public key from its 32 bytes.
    ///
    /// # Errors
    /// [`LicenseError::BadPublicKey`] when the bytes are not an Ed25519 point.
    pub fn from_bytes(bytes: [u8; 32]) -> Result<Self, LicenseError> {
        VerifyingKey::from_bytes(&bytes).map_err(|_| LicenseError::BadPublicKey {
            reason: "it is not a point on the Ed25519 curve".into(),
        })?;
        Ok(Self(bytes))
    }

    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Short, stable identification of this key: the first 8 bytes of its
    /// SHA-256. License codes carry it to say which key signed them.
    #[must_use]
    pub fn fingerprint(&self) -> KeyFingerprint {
        let digest = Sha256::digest(self.0);
        let mut fp = [0u8; 8];
        fp.copy_from_slice(&digest[..8]);
        KeyFingerprint(fp)
    }

    /// Checks an Ed25519 signature (strictly: no malleable signatures, no weak
    /// keys) of `message` by this key.
    ///
    /// # Errors
    /// [`LicenseError::BadSignature`] when it does not verify.
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> Result<(), LicenseError> {
        let key = VerifyingKey::from_bytes(&self.0).map_err(|_| LicenseError::BadSignature)?;
        key.verify_strict(message, &Signature::from_bytes(signature))
            .map_err(|_| LicenseError::BadSignature)
    }
}

impl fmt::Display for VendorPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = symbols::encode(&self.0);
        let check = public_key_check(&body);
        write!(
            f,
            "{PUBLIC_KEY_PREFIX}{}{}",
            symbols::to_text(&body),
            symbols::to_text(&check)
        )
    }
}

impl fmt::Debug for VendorPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VendorPublicKey({self})")
    }
}

impl FromStr for VendorPublicKey {
    type Err = LicenseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| LicenseError::BadPublicKey {
            reason: reason.to_owned(),
        };
        let compact: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let rest = compact
            .strip_prefix(PUBLIC_KEY_PREFIX)
            .ok_or_else(|| bad("it does not start with `LHPK-`"))?;
        let rest: String = rest.chars().filter(|&c| c != '-').collect();
        if let Some(c) = rest.chars().find(|c| symbols::AMBIGUOUS.contains(c)) {
            return Err(bad(&format!(
                "it contains `{c}`, which keys never contain (no 0, 1, O or I)"
            )));
        }
        let all = rest
            .chars()
            .map(symbols::from_char)
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| bad("it contains characters keys never contain"))?;
        let body_len = all.len().saturating_sub(PUBLIC_KEY_CHECK_SYMBOLS);
        if body_len != PUBLIC_KEY_SYMBOLS {
            return Err(bad(&format!(
                "it has {} characters after `LHPK-` instead of {}",
                all.len(),
                PUBLIC_KEY_SYMBOLS + PUBLIC_KEY_CHECK_SYMBOLS
            )));
        }
        let (body, check) = all.split_at(body_len);
        if public_key_check(body) != check {
            return Err(bad("it has a typo (its check characters do not match)"));
        }
        let bytes: [u8; 32] = symbols::decode(body)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| bad("it has a typo (it does not decode to 32 bytes)"))?;
        Self::from_bytes(bytes)
    }
}

impl Serialize for VendorPublicKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for VendorPublicKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The first 8 bytes of SHA-256 of a vendor public key; shown as 13 symbols
/// of the code alphabet.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyFingerprint(pub [u8; 8]);

impl fmt::Display for KeyFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&symbols::to_text(&symbols::encode(&self.0)))
    }
}

impl fmt::Debug for KeyFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyFingerprint({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(n: u8) -> VendorKeyPair {
        VendorKeyPair::from_seed(&[n; 32])
    }

    #[test]
    fn generated_keys_differ_and_sign() {
        let a = VendorKeyPair::generate().unwrap();
        let b = VendorKeyPair::generate().unwrap();
        assert_ne!(a.public(), b.public());
        let sig = a.sign(b"hello");
        a.public().verify(b"hello", &sig).unwrap();
        assert_eq!(
            b.public().verify(b"hello", &sig),
            Err(LicenseError::BadSignature)
        );
        assert_eq!(
            a.public().verify(b"hellO", &sig),
            Err(LicenseError::BadSignature)
        );
    }

    #[test]
    fn key_file_round_trips_and_debug_hides_the_secret() {
        let k = pair(7);
        let text = k.to_file_text();
        assert!(text.starts_with("leasehold-vendor-key v1\n"));
        let back = VendorKeyPair::from_file_text(&text).unwrap();
        assert_eq!(back.public(), k.public());
        let secret_text = symbols::to_text(&symbols::encode(&[7; 32]));
        assert!(text.contains(&secret_text));
        let debug = format!("{k:?}");
        assert!(!debug.contains(&secret_text), "{debug}");
        assert!(debug.contains("redacted"));
        // Without the public line it still reads; CRLF line ends too.
        let no_public: String = text
            .lines()
            .filter(|l| !l.starts_with("public"))
            .collect::<Vec<_>>()
            .join("\r\n");
        assert_eq!(
            VendorKeyPair::from_file_text(&no_public).unwrap().public(),
            k.public()
        );
    }

    #[test]
    fn bad_key_files_are_refused_with_reasons() {
        let text = pair(7).to_file_text();
        let other_public = format!("public: {}", pair(8).public());
        let cases = [
            (String::new(), "does not start"),
            ("hello".to_owned(), "does not start"),
            ("leasehold-vendor-key v2\nsecret: 22".to_owned(), "newer"),
            ("leasehold-vendor-key v1\n".to_owned(), "missing"),
            (text.replace("secret: ", "secret: 0"), "characters"),
            (text.replace("secret: ", "secret: 2"), "length"),
            (
                text.lines()
                    .map(|l| {
                        if l.starts_with("public") {
                            other_public.as_str()
                        } else {
                            l
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
                "does not match",
            ),
            (format!("{text}secret: 22\n"), "twice"),
            (format!("{text}colour: blue\n"), "neither"),
            (
                text.replace("public: LHPK-", "public: LHPK-Z"),
                "not a valid public key",
            ),
        ];
        for (input, want) in cases {
            let e = VendorKeyPair::from_file_text(&input).unwrap_err();
            assert_eq!(e.code(), "bad_key_file");
            assert!(e.to_string().contains(want), "{input:?}: {e}");
        }
    }

    #[test]
    fn public_key_text_round_trips_and_catches_typos() {
        let pk = pair(3).public();
        let text = pk.to_string();
        assert!(text.starts_with("LHPK-"));
        assert_eq!(text.len(), 5 + 54);
        assert_eq!(text.parse::<VendorPublicKey>().unwrap(), pk);
        let messy = format!("  {}\n{}  ", text[..20].to_lowercase(), &text[20..]);
        assert_eq!(messy.parse::<VendorPublicKey>().unwrap(), pk);

        for bad in [
            "",
            "LHPK-",
            &text[5..],
            &text[..text.len() - 1],
            &format!("{}O", &text[..text.len() - 1]),
        ] {
            let e = bad.parse::<VendorPublicKey>().unwrap_err();
            assert_eq!(e.code(), "bad_public_key", "{bad}");
        }
        // Every single-character change is caught.
        let chars: Vec<char> = text.chars().collect();
        for pos in 5..chars.len() {
            let mut c = chars.clone();
            c[pos] = if c[pos] == 'A' { 'B' } else { 'A' };
            let s: String = c.into_iter().collect();
            assert!(s.parse::<VendorPublicKey>().is_err() || s == text, "{pos}");
        }
    }

    #[test]
    fn public_key_serde_is_its_text() {
        let pk = pair(3).public();
        let json = serde_json::to_string(&pk).unwrap();
        assert_eq!(json, format!("\"{pk}\""));
        assert_eq!(serde_json::from_str::<VendorPublicKey>(&json).unwrap(), pk);
        assert!(serde_json::from_str::<VendorPublicKey>("\"LHPK-22\"").is_err());
    }

    #[test]
    fn fingerprint_is_short_and_stable() {
        let pk = pair(3).public();
        assert_eq!(pk.fingerprint(), pk.fingerprint());
        assert_eq!(pk.fingerprint().to_string().len(), 13);
        assert_ne!(pk.fingerprint(), pair(4).public().fingerprint());
    }
}
