//! Signed blocks of bytes as text a person can copy, type or read over the
//! phone: license codes, activation requests and responses, deactivation
//! proofs. Every kind shares the layout and the checks; each has its own
//! whole-block check domain, so one kind pasted in place of another fails
//! the whole check instead of being misread.
//!
//! Bytes: `version (1) | body length (LEB128) | body | fixed tail` (the tail
//! is the fingerprint and signature of a license code, for example). The
//! bytes are written in the 32-symbol alphabet `23456789ABCDEFGHJKLMNPQRSTUVWXYZ`
//! (5 bits a symbol), followed by 3 whole-block check symbols (catch groups
//! out of order, repeated or missing). That sequence is cut into groups of 5
//! symbols, and each group gets a 6th, check symbol (catches every single
//! typo and every swap of two characters inside it, and says which group).
//! Groups are joined with `-`.

use super::symbols;

/// Data symbols per group; each group adds one check symbol.
const GROUP_DATA: usize = 5;
pub(crate) const GROUP_LEN: usize = GROUP_DATA + 1;
/// Whole-block check symbols, after the data and before grouping.
const WHOLE_CHECK: usize = 3;
/// Longer input than this is not looked at (the longest block is ~2,000).
pub(crate) const MAX_INPUT_LEN: usize = 16 * 1024;

/// One kind of block.
pub(crate) struct Kind {
    /// Seeds the whole-block check: unique per kind.
    pub domain: &'static [u8],
    /// What a person calls it: "license code", "activation request".
    pub noun: &'static str,
    /// Fewer letters and digits than this is not a damaged block but
    /// something else.
    pub min_symbols: usize,
    /// How long one usually is, for the message when far too short.
    pub typical: &'static str,
    /// The versions whose header [`Kind::expected_groups`] can read.
    pub versions: &'static [u8],
    /// Bytes after the body (signature and the like).
    pub tail: usize,
}

/// What is wrong with a block's text; each kind words it with its noun.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BlockError {
    NotABlock(String),
    Checksum {
        group: usize,
        text: String,
    },
    Ambiguous {
        group: usize,
        text: String,
        ch: char,
    },
    Truncated {
        have: usize,
        expected: usize,
    },
    Corrupt(String),
}

impl Kind {
    /// Bytes to text: symbols, whole-block check, groups with check symbols.
    pub fn render(&self, bytes: &[u8]) -> String {
        let mut stream = symbols::encode(bytes);
        let check = symbols::whole_check(self.domain, &stream, WHOLE_CHECK);
        stream.extend_from_slice(&check);
        let groups: Vec<String> = stream
            .chunks(GROUP_DATA)
            .map(|g| {
                let mut text = symbols::to_text(g);
                text.push(symbols::to_char(symbols::group_check(g)));
                text
            })
            .collect();
        groups.join("-")
    }

    /// Text back to bytes, every check passed.
    pub fn read(&self, text: &str) -> Result<Vec<u8>, BlockError> {
        let stream = self.check_groups(text)?;
        let (data, check) = stream.split_at(stream.len().saturating_sub(WHOLE_CHECK));
        if symbols::whole_check(self.domain, data, WHOLE_CHECK) != check {
            return Err(self.diagnose_whole(&stream));
        }
        symbols::decode(data)
            .ok_or_else(|| BlockError::Corrupt("its length does not fit together".into()))
    }

    /// Normalizes the text, splits it into groups and checks each; returns
    /// the data symbols of all groups (the whole check included).
    fn check_groups(&self, text: &str) -> Result<Vec<u8>, BlockError> {
        let noun = self.noun;
        if text.len() > MAX_INPUT_LEN {
            return Err(BlockError::NotABlock(format!(
                "it is {} characters long, far longer than any {noun}",
                text.len()
            )));
        }
        // A block pasted from a quoted e-mail reply keeps its `> ` marks.
        let compact: String = text
            .lines()
            .map(|line| {
                line.trim_start()
                    .trim_start_matches(|c: char| c == '>' || c.is_whitespace())
            })
            .flat_map(str::chars)
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if compact.is_empty() {
            return Err(BlockError::NotABlock("it is empty".into()));
        }
        if let Some(c) = compact
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || c == '-'))
        {
            return Err(BlockError::NotABlock(format!(
                "it contains `{c}`, and {noun}s are only letters, digits and dashes"
            )));
        }
        let count = compact.chars().filter(|&c| c != '-').count();
        if count < self.min_symbols {
            return Err(BlockError::NotABlock(format!(
                "it has only {count} letters and digits; {}",
                self.typical
            )));
        }
        let tokens: Vec<&str> = compact.split('-').filter(|t| !t.is_empty()).collect();
        let groups: Vec<&str> = if tokens.len() == 1 {
            // No dashes: cut into groups ourselves (all ASCII, so byte offsets are safe).
            compact
                .as_bytes()
                .chunks(GROUP_LEN)
                .filter_map(|c| std::str::from_utf8(c).ok())
                .collect()
        } else {
            tokens
        };
        let last = groups.len();
        let mut stream = Vec::with_capacity(last * GROUP_DATA);
        for (i, group) in groups.iter().enumerate() {
            let number = i + 1;
            if let Some(ch) = group.chars().find(|c| symbols::AMBIGUOUS.contains(c)) {
                return Err(BlockError::Ambiguous {
                    group: number,
                    text: (*group).to_owned(),
                    ch,
                });
            }
            let typo = || BlockError::Checksum {
                group: number,
                text: (*group).to_owned(),
            };
            let syms: Vec<u8> = group
                .chars()
                .map(symbols::from_char)
                .collect::<Option<_>>()
                .ok_or_else(typo)?;
            let len_ok = if number == last {
                (2..=GROUP_LEN).contains(&syms.len())
            } else {
                syms.len() == GROUP_LEN
            };
            let Some((&check, data)) = syms.split_last() else {
                return Err(typo());
            };
            if !len_ok || symbols::group_check(data) != check {
                // A short or bad last group after good ones is most likely a cut-off block.
                let expected = if number == last && number > 1 {
                    self.expected_groups(&stream)
                } else {
                    None
                };
                if let Some(expected) = expected.filter(|&e| e > last) {
                    return Err(BlockError::Truncated {
                        have: last,
                        expected,
                    });
                }
                return Err(typo());
            }
            stream.extend_from_slice(data);
        }
        Ok(stream)
    }

    /// The whole check failed although every group passed: tell a cut-off
    /// block from one whose groups are out of order, repeated or missing.
    fn diagnose_whole(&self, stream: &[u8]) -> BlockError {
        let have = stream.len().div_ceil(GROUP_DATA);
        match self.expected_groups(stream) {
            Some(expected) if expected > have => BlockError::Truncated { have, expected },
            _ => BlockError::Corrupt(
                "each group checks out, but they do not fit together: a group is out of order, repeated or missing (or it is another kind of block)".into(),
            ),
        }
    }

    /// How many groups the block should have, from the header in its first
    /// symbols; `None` when the header cannot be read.
    fn expected_groups(&self, stream: &[u8]) -> Option<usize> {
        let head = symbols::decode_prefix(stream.get(..8.min(stream.len()))?);
        let (version, rest) = head.split_first()?;
        if !self.versions.contains(version) {
            return None;
        }
        let (body_len, _) = read_varint(rest)?;
        let bytes = 1 + varint_len(body_len) + body_len + self.tail;
        Some(((bytes * 8).div_ceil(5) + WHOLE_CHECK).div_ceil(GROUP_DATA))
    }
}

/// `version | body length | body`, ready for the tail.
pub(crate) fn header(version: u8, body: &[u8]) -> Vec<u8> {
    let mut bytes = vec![version];
    push_varint(&mut bytes, body.len());
    bytes.extend_from_slice(body);
    bytes
}

/// Splits read bytes into version, body and tail (of exactly `tail` bytes).
pub(crate) fn split(bytes: &[u8], tail: usize) -> Result<(u8, &[u8], &[u8]), BlockError> {
    let (&version, rest) = bytes
        .split_first()
        .ok_or_else(|| BlockError::Corrupt("it is empty".into()))?;
    let (body_len, rest) =
        read_varint(rest).ok_or_else(|| BlockError::Corrupt("its header cannot be read".into()))?;
    if rest.len() != body_len.saturating_add(tail) {
        return Err(BlockError::Corrupt(
            "its length does not match its header".into(),
        ));
    }
    let (body, tail) = rest.split_at(body_len);
    Ok((version, body, tail))
}

fn push_varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7F) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn varint_len(n: usize) -> usize {
    let mut v = Vec::new();
    push_varint(&mut v, n);
    v.len()
}

/// A LEB128 length of at most 2 bytes (blocks are far shorter than 16 KiB),
/// in its shortest form.
fn read_varint(bytes: &[u8]) -> Option<(usize, &[u8])> {
    let mut n = 0usize;
    for (i, &b) in bytes.iter().enumerate().take(2) {
        n |= usize::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            if i > 0 && b == 0 {
                return None;
            }
            return Some((n, &bytes[i + 1..]));
        }
    }
    None
}
