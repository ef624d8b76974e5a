//! Names in a policy: users, hosts and groups, compared without regard to
//! case (Windows user names and DNS host names are), and the subjects a rule
//! is about.

use std::cmp::Ordering;

/// The longest user, host, group or product name a policy may hold, in bytes.
pub const MAX_NAME_BYTES: usize = 128;

/// The key a name is compared by: every character lowercased. The lease
/// table keys the counters it answers [`Occupancy`](super::Occupancy) with
/// by the same key, so `Alice` and `alice` are one user.
#[must_use]
pub fn name_key(name: &str) -> String {
    folded(name).collect()
}

/// `name`'s key, character by character, without allocating.
fn folded(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars().flat_map(char::to_lowercase)
}

/// How a stored key orders against a name (folded on the fly).
pub(super) fn cmp_key(key: &str, name: &str) -> Ordering {
    key.chars().cmp(folded(name))
}

/// Whether `name` has the stored `key`.
pub(super) fn is_key_of(key: &str, name: &str) -> bool {
    // ASCII, the usual case: compare bytes.
    if name.is_ascii() {
        return key.len() == name.len() && key.as_bytes().eq_ignore_ascii_case(name.as_bytes());
    }
    cmp_key(key, name) == Ordering::Equal
}

/// A stored key (a name lowercased) in a hash map that is looked up by any
/// spelling of the name ([`AsKey`]) without making its key: both hash the
/// folded characters one by one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Key(pub(super) String);

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        hash_chars(self.0.chars(), state);
    }
}

/// A name as it came (`Alice`), looking up its [`Key`] (`alice`).
pub(super) struct AsKey<'a>(pub(super) &'a str);

impl std::hash::Hash for AsKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        hash_chars(folded(self.0), state);
    }
}

impl hashbrown::Equivalent<Key> for AsKey<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        is_key_of(&key.0, self.0)
    }
}

fn hash_chars<H: std::hash::Hasher>(chars: impl Iterator<Item = char>, state: &mut H) {
    for c in chars {
        state.write_u32(u32::from(c));
    }
    state.write_u8(0xff);
}

/// Whether the sorted `keys` hold `name`'s key.
pub(super) fn keys_hold(keys: &[String], name: &str) -> bool {
    keys.binary_search_by(|k| cmp_key(k, name)).is_ok()
}

/// Why `name` cannot be a name in a policy, or `None` when it can.
pub(super) fn refusal(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        return Some("is empty".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Some(format!(
            "is {} bytes long; a name is at most {MAX_NAME_BYTES}",
            name.len()
        ));
    }
    if let Some(why) = crate::text::refusal(name) {
        return Some(why.replace("; send plain text", "; write plain text"));
    }
    if name.trim() != name {
        return Some("starts or ends with white space; write the name without it".into());
    }
    None
}

/// The kinds of thing a rule can be about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    User,
    Host,
    Group,
}

impl Kind {
    pub(super) fn prefix(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Host => "host",
            Self::Group => "group",
        }
    }

    /// `user:alice` → (User, "alice"); `None` without a known kind.
    pub(super) fn split(written: &str) -> Option<(Self, &str)> {
        let (kind, name) = written.split_once(':')?;
        let kind = [Self::User, Self::Host, Self::Group]
            .into_iter()
            .find(|k| k.prefix().eq_ignore_ascii_case(kind))?;
        Some((kind, name))
    }
}

/// Who a rule is about. User and host names are held as keys; a group as its
/// index in the policy's groups.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Subject {
    User(String),
    Host(String),
    Group(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case_in_any_script() {
        assert_eq!(name_key("Alice"), "alice");
        assert!(is_key_of("alice", "ALICE"));
        assert!(is_key_of("zoë", "ZOË"));
        assert!(is_key_of("lab-pc-01", "LAB-PC-01"));
        assert!(!is_key_of("alice", "alicia"));
        assert!(!is_key_of("alice", "alic"));
        let keys: Vec<String> = ["bob", "zoë", "ann"].map(name_key).into();
        let mut sorted = keys.clone();
        sorted.sort();
        assert!(keys_hold(&sorted, "ZOË") && keys_hold(&sorted, "Ann"));
        assert!(!keys_hold(&sorted, "carol"));
    }

    #[test]
    fn a_name_is_refused_with_a_reason() {
        assert_eq!(refusal("alice"), None);
        assert_eq!(refusal("CORP\\alice"), None);
        assert!(refusal("").unwrap().contains("empty"));
        assert!(refusal(" alice").unwrap().contains("white space"));
        assert!(refusal(&"a".repeat(129)).unwrap().contains("129 bytes"));
        assert!(refusal("ali\u{202E}ce").unwrap().contains("U+202E"));
        assert!(refusal("ali\tce").unwrap().contains("control character"));
    }

    #[test]
    fn subjects_have_a_known_kind() {
        assert_eq!(Kind::split("user:bob"), Some((Kind::User, "bob")));
        assert_eq!(Kind::split("Host:ws-1"), Some((Kind::Host, "ws-1")));
        assert_eq!(Kind::split("group:a:b"), Some((Kind::Group, "a:b")));
        assert_eq!(Kind::split("usr:bob"), None);
        assert_eq!(Kind::split("bob"), None);
    }

    #[test]
    fn a_key_is_found_by_any_spelling_of_its_name() {
        let mut map: hashbrown::HashMap<Key, u32> = hashbrown::HashMap::new();
        map.insert(Key(name_key("Bob")), 1);
        map.insert(Key(name_key("Ölaf")), 2);
        assert_eq!(map.get(&AsKey("BOB")), Some(&1));
        assert_eq!(map.get(&AsKey("bob")), Some(&1));
        assert_eq!(map.get(&AsKey("ÖLAF")), Some(&2));
        assert_eq!(map.get(&AsKey("bobby")), None);
        assert_eq!(map.get(&AsKey("")), None);
    }
}
