//! A product's rules as the policy keeps them for deciding: subjects
//! resolved, texts for people made once (a decision copies none).

use super::group::Group;
use super::names::{AsKey, Key, Subject};
use hashbrown::HashMap;
use std::fmt;
use std::sync::Arc;

/// A rule of the file as an admin reads it: its line and its text with the
/// file and line, e.g. `reserve 3 for group:cad-core (policy.toml:9)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRef {
    /// 1-based line of `policy.toml`.
    pub line: u32,
    /// The rule as written, with where: made once when the file is read, so
    /// handing it out costs a reference count.
    pub text: Arc<str>,
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// One `include` or `exclude` entry, or the subject of a `max` or `reserve`.
#[derive(Clone, Debug)]
pub(super) struct Target {
    pub(super) subject: Subject,
    /// The subject's number among the product's distinct subjects
    /// ([`SubjectIndex`]), set once the product is read.
    pub(super) sid: usize,
    /// `kind:name` as written (the kind in lower case).
    pub(super) written: String,
    pub(super) line: u32,
}

impl Target {
    /// `group cad-core`, `user bob`: the subject in a sentence.
    pub(super) fn for_people(&self) -> String {
        self.written.replacen(':', " ", 1)
    }
}

/// An `exclude` entry.
#[derive(Clone, Debug)]
pub(super) struct Exclude {
    pub(super) target: Target,
    pub(super) rule: RuleRef,
}

/// The `include` list: only those it names may use the product.
#[derive(Clone, Debug)]
pub(super) struct Include {
    pub(super) targets: Vec<Target>,
    pub(super) rule: RuleRef,
}

/// A `max` or `reserve` rule: `seats` for `target`.
#[derive(Clone, Debug)]
pub(super) struct Limit {
    pub(super) target: Target,
    pub(super) seats: u32,
    pub(super) rule: RuleRef,
}

/// Everything the policy says about one product.
#[derive(Clone, Debug, Default)]
pub(super) struct ProductRules {
    /// Where `[products.NAME]` is.
    pub(super) line: u32,
    pub(super) exclude: Vec<Exclude>,
    pub(super) include: Option<Include>,
    pub(super) max: Vec<Limit>,
    /// In file order: when they ask for more seats than are licensed, the
    /// earlier ones are honoured first.
    pub(super) reserve: Vec<Limit>,
    pub(super) keep_unborrowed: u32,
    pub(super) index: SubjectIndex,
}

/// The product's distinct subjects, and which of them a user or a host
/// matches (itself, and the groups holding it): a decision finds the
/// requester's subjects with two lookups, however many rules there are.
#[derive(Clone, Debug, Default)]
pub(super) struct SubjectIndex {
    pub(super) subjects: Vec<Subject>,
    pub(super) by_user: HashMap<Key, Vec<usize>>,
    pub(super) by_host: HashMap<Key, Vec<usize>>,
    /// Per subject, the rules about it: a decision looks only at the rules
    /// of the requester's subjects, not at every rule.
    pub(super) rules: Vec<SubjectRules>,
    /// The seats all reservations ask for together: with more seats free
    /// than that, a requester no reservation covers is never refused.
    pub(super) reserve_asked: u64,
}

/// The rules about one subject (indexes into the product's lists).
#[derive(Clone, Debug, Default)]
pub(super) struct SubjectRules {
    pub(super) exclude: Vec<usize>,
    pub(super) include: bool,
    pub(super) max: Vec<usize>,
    pub(super) reserve: bool,
}

impl SubjectIndex {
    /// The subjects a user's (and a host's) key matches.
    pub(super) fn of<'a>(&'a self, user: &str, host: &str) -> (&'a [usize], &'a [usize]) {
        let user = self
            .by_user
            .get(&AsKey(user))
            .map_or(&[][..], Vec::as_slice);
        let host = self
            .by_host
            .get(&AsKey(host))
            .map_or(&[][..], Vec::as_slice);
        (user, host)
    }
}

impl ProductRules {
    /// Numbers the subjects of every rule and indexes them by member key.
    pub(super) fn index_subjects(&mut self, groups: &[Group]) {
        let mut index = SubjectIndex::default();
        let mut number = |t: &mut Target| {
            t.sid = match index.subjects.iter().position(|s| *s == t.subject) {
                Some(i) => i,
                None => {
                    let i = index.subjects.len();
                    index.subjects.push(t.subject.clone());
                    match &t.subject {
                        Subject::User(key) => {
                            index.by_user.entry(Key(key.clone())).or_default().push(i)
                        }
                        Subject::Host(key) => {
                            index.by_host.entry(Key(key.clone())).or_default().push(i)
                        }
                        Subject::Group(g) => {
                            if let Some(g) = groups.get(*g) {
                                for key in &g.user_keys {
                                    index.by_user.entry(Key(key.clone())).or_default().push(i);
                                }
                                for key in &g.host_keys {
                                    index.by_host.entry(Key(key.clone())).or_default().push(i);
                                }
                            }
                        }
                    }
                    i
                }
            };
        };
        for x in &mut self.exclude {
            number(&mut x.target);
        }
        if let Some(include) = &mut self.include {
            include.targets.iter_mut().for_each(&mut number);
        }
        for l in self.max.iter_mut().chain(self.reserve.iter_mut()) {
            number(&mut l.target);
        }
        let mut about = vec![SubjectRules::default(); index.subjects.len()];
        for (i, x) in self.exclude.iter().enumerate() {
            if let Some(r) = about.get_mut(x.target.sid) {
                r.exclude.push(i);
            }
        }
        for t in self.include.iter().flat_map(|inc| &inc.targets) {
            if let Some(r) = about.get_mut(t.sid) {
                r.include = true;
            }
        }
        for (i, l) in self.max.iter().enumerate() {
            if let Some(r) = about.get_mut(l.target.sid) {
                r.max.push(i);
            }
        }
        for l in &self.reserve {
            if let Some(r) = about.get_mut(l.target.sid) {
                r.reserve = true;
            }
        }
        index.rules = about;
        index.reserve_asked = self.reserve.iter().map(|l| u64::from(l.seats)).sum();
        self.index = index;
    }

    /// Whether any rule can deny a checkout (else the decision is a grant
    /// without looking at the requester).
    pub(super) fn admits_all(&self) -> bool {
        self.exclude.is_empty()
            && self.include.is_none()
            && self.max.is_empty()
            && self.reserve.is_empty()
    }
}

/// `text (file:line)` as shared text.
pub(super) fn rule_ref(text: &str, file: &str, line: u32) -> RuleRef {
    RuleRef {
        line,
        text: Arc::from(format!("{text} ({file}:{line})")),
    }
}

/// The include list as a rule's text: its first few entries.
pub(super) fn include_text(targets: &[Target]) -> String {
    const SHOWN: usize = 5;
    let mut text = String::from("include [");
    for (i, t) in targets.iter().take(SHOWN).enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(&t.written);
    }
    if targets.len() > SHOWN {
        text.push_str(&format!(", … {} more", targets.len() - SHOWN));
    }
    text.push(']');
    text
}
