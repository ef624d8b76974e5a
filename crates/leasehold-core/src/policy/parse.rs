//! Reading `policy.toml`. Every mistake is refused with the file, the line
//! and a reason an admin understands; nothing is silently ignored, and
//! nothing an admin or attacker writes makes it panic or grow without bound.

use super::Policy;
use super::group::Group;
use super::names::{Kind, name_key, refusal};
use super::rules::{Exclude, Include, Limit, ProductRules, Target, include_text, rule_ref};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use toml::Spanned;

/// The largest policy file read, in bytes.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// The most rules (include and exclude entries, max and reserve rules) and
/// group members a policy may hold, in all.
pub const MAX_ENTRIES: usize = 10_000;

/// Why a policy file is refused: where, and why in words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    /// The file as named to [`Policy::parse`].
    pub file: String,
    /// 1-based; `None` when the mistake is the whole file (too large).
    pub line: Option<u32>,
    pub reason: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    groups: BTreeMap<Spanned<String>, RawGroup>,
    #[serde(default)]
    products: BTreeMap<Spanned<String>, RawProduct>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a group: { users = [...], hosts = [...] }"
)]
struct RawGroup {
    #[serde(default)]
    users: Vec<Spanned<String>>,
    #[serde(default)]
    hosts: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a product's rules: include, exclude, reserve, max, keep_unborrowed"
)]
struct RawProduct {
    include: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    reserve: Vec<Spanned<RawLimit>>,
    #[serde(default)]
    max: Vec<Spanned<RawLimit>>,
    keep_unborrowed: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "{ seats = N, for = \"group:NAME\" }")]
struct RawLimit {
    seats: Spanned<i64>,
    #[serde(rename = "for")]
    subject: Spanned<String>,
}

impl Policy {
    /// Reads a policy from the text of `file` (named in every message and
    /// rule). An empty text is a policy with no rules.
    ///
    /// # Errors
    /// [`PolicyError`] for the first mistake found: TOML syntax, an unknown
    /// key, a subject without a known kind, a group not defined or without
    /// members, seats under 1, the same subject twice in one list, a reserve
    /// that a max or an exclude makes useless, a name that is empty, over
    /// [`MAX_NAME_BYTES`](super::MAX_NAME_BYTES) or holds control or
    /// invisible characters, over [`MAX_ENTRIES`], a file over
    /// [`MAX_FILE_BYTES`].
    pub fn parse(text: &str, file: &str) -> Result<Policy, PolicyError> {
        let mut parser = Parser {
            file,
            newlines: Vec::new(),
            entries: 0,
        };
        if text.len() > MAX_FILE_BYTES {
            return Err(parser.error(
                None,
                format!(
                    "the file is {} bytes; a policy is at most {MAX_FILE_BYTES} (1 MiB)",
                    text.len()
                ),
            ));
        }
        parser.newlines = text.match_indices('\n').map(|(i, _)| i).collect();
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| parser.line(s.start));
            parser.error(line, admin_words(e.message()))
        })?;
        parser.policy(raw)
    }
}

/// serde's words for the mistakes, in the words of a TOML file, and shown
/// safely: a message may quote the file (a value of the wrong type), so what
/// it quotes is escaped and cut short.
fn admin_words(message: &str) -> String {
    const SHOWN_CHARS: usize = 300;
    if message.contains(" as i128") {
        return "the number is too large".into();
    }
    let message = message
        .replace("unknown field", "unknown key")
        .replace("missing field", "missing key")
        .replace("expected i64", "expected a whole number")
        .replace("expected a sequence", "expected a list [ ... ]")
        .replace("expected a map", "expected a table");
    let chars = message.chars().count();
    if chars <= SHOWN_CHARS {
        return crate::text::escaped(&message);
    }
    // Keep the end too: it says what was expected.
    let tail: String = message.chars().skip(chars - SHOWN_CHARS / 3).collect();
    format!(
        "{} {}",
        shown(&message, SHOWN_CHARS / 2),
        crate::text::escaped(&tail)
    )
}

/// Text of the file as it may be shown: invisible characters escaped, at
/// most `chars` characters.
fn shown(text: &str, chars: usize) -> String {
    let mut out = crate::text::escaped(&text.chars().take(chars).collect::<String>());
    if text.chars().nth(chars).is_some() {
        out.push('…');
    }
    out
}

/// A name as it may be shown.
fn show_name(name: &str) -> String {
    const SHOWN_CHARS: usize = 40;
    shown(name, SHOWN_CHARS)
}

struct Parser<'a> {
    file: &'a str,
    /// Byte offsets of the text's line ends, to turn spans into lines.
    newlines: Vec<usize>,
    /// Rules and group members read so far.
    entries: usize,
}

impl Parser<'_> {
    fn error(&self, line: Option<u32>, reason: String) -> PolicyError {
        PolicyError {
            file: self.file.to_owned(),
            line,
            reason,
        }
    }

    fn at(&self, line: u32, reason: String) -> PolicyError {
        self.error(Some(line), reason)
    }

    fn line(&self, offset: usize) -> u32 {
        let before = self.newlines.partition_point(|&nl| nl < offset);
        u32::try_from(before.saturating_add(1)).unwrap_or(u32::MAX)
    }

    /// Counts one rule or member, refusing the one over [`MAX_ENTRIES`].
    fn count(&mut self, line: u32) -> Result<(), PolicyError> {
        self.entries += 1;
        if self.entries > MAX_ENTRIES {
            return Err(self.at(
                line,
                format!(
                    "more than {MAX_ENTRIES} rules and group members in all (the most a policy holds); \
                     this is the first one over"
                ),
            ));
        }
        Ok(())
    }

    fn name_ok(&self, what: &str, name: &str, line: u32) -> Result<(), PolicyError> {
        match refusal(name) {
            Some(why) => Err(self.at(line, format!("{what} `{}` {why}", show_name(name)))),
            None => Ok(()),
        }
    }

    fn policy(&mut self, raw: RawFile) -> Result<Policy, PolicyError> {
        let groups = self.groups(raw.groups)?;
        let by_key: HashMap<String, usize> = groups
            .iter()
            .enumerate()
            .map(|(i, g)| (name_key(&g.name), i))
            .collect();
        let mut raw_products: Vec<_> = raw.products.into_iter().collect();
        raw_products.sort_by_key(|(name, _)| name.span().start);
        let mut products = hashbrown::HashMap::with_capacity(raw_products.len());
        for (name, body) in raw_products {
            let line = self.line(name.span().start);
            let name = name.into_inner();
            self.name_ok("product", &name, line)?;
            let mut rules = self.product(line, body, &groups, &by_key)?;
            rules.index_subjects(&groups);
            products.insert(name, rules);
        }
        Ok(Policy {
            file: self.file.to_owned(),
            groups,
            products,
        })
    }

    fn groups(
        &mut self,
        raw: BTreeMap<Spanned<String>, RawGroup>,
    ) -> Result<Vec<Group>, PolicyError> {
        let mut raw: Vec<_> = raw.into_iter().collect();
        raw.sort_by_key(|(name, _)| name.span().start);
        let mut seen: HashMap<String, u32> = HashMap::new();
        let mut groups = Vec::with_capacity(raw.len());
        for (name, body) in raw {
            let line = self.line(name.span().start);
            let name = name.into_inner();
            self.name_ok("group name", &name, line)?;
            if let Some(first) = seen.insert(name_key(&name), line) {
                return Err(self.at(
                    line,
                    format!(
                        "group `{}` is defined twice (also on line {first}; names compare without regard to case)",
                        show_name(&name)
                    ),
                ));
            }
            if body.users.is_empty() && body.hosts.is_empty() {
                return Err(self.at(
                    line,
                    format!(
                        "group `{}` has no members: give it users = [...] or hosts = [...]",
                        show_name(&name)
                    ),
                ));
            }
            let (users, user_keys) = self.members(&name, Kind::User, body.users)?;
            let (hosts, host_keys) = self.members(&name, Kind::Host, body.hosts)?;
            groups.push(Group {
                name,
                line,
                user_keys,
                host_keys,
                users,
                hosts,
            });
        }
        Ok(groups)
    }

    /// A group's users or hosts: as written, and their keys sorted.
    fn members(
        &mut self,
        group: &str,
        kind: Kind,
        raw: Vec<Spanned<String>>,
    ) -> Result<(Vec<String>, Vec<String>), PolicyError> {
        let mut seen: HashMap<String, u32> = HashMap::new();
        let mut written = Vec::with_capacity(raw.len());
        for member in raw {
            let line = self.line(member.span().start);
            self.count(line)?;
            let name = member.into_inner();
            let what = format!("in group `{}`, {} name", show_name(group), kind.prefix());
            self.name_ok(&what, &name, line)?;
            if let Some((_, alone)) = Kind::split(&name) {
                let reason = format!(
                    "in group `{}`, write the {} name alone, as \"{}\"",
                    show_name(group),
                    kind.prefix(),
                    show_name(alone)
                );
                return Err(self.at(line, reason));
            }
            if let Some(first) = seen.insert(name_key(&name), line) {
                return Err(self.at(
                    line,
                    format!(
                        "{what} `{}` is named twice (also on line {first}; names compare without regard to case)",
                        show_name(&name)
                    ),
                ));
            }
            written.push(name);
        }
        let mut keys: Vec<String> = seen.into_keys().collect();
        keys.sort_unstable();
        Ok((written, keys))
    }
}

mod product;
