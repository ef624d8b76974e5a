//! The Computers list at scale: a copy of the leases taken in short pieces
//! ([`crate::table::LeaseTable::list_from`]), sorted and searched without
//! the table lock, and read a page at a time by a cursor that stays right
//! while leases come and go (a page starts after the last row of the one
//! before, by value, not by position).

use crate::ids::LeaseId;
use crate::time::Timestamp;
use crate::wire::admin::{ComputerSort, SortOrder};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

/// Who holds a lease and with what, as the lease table keeps it. Shared
/// (not copied) by the list's copy. Strings that recur across leases
/// (product, application, version) are shared among leases; the four that
/// are the lease's own are kept in one allocation (a million leases: about
/// 90 MB less than four).
#[derive(Debug)]
pub struct HolderNames {
    pub product: Arc<str>,
    pub app_name: Arc<str>,
    pub app_version: Arc<str>,
    /// Client id, user, host and address, one after another.
    text: Box<str>,
    /// Where the first three end in `text`.
    ends: [u32; 3],
    /// The computer the lease was checked out from (see [`crate::computer`]).
    pub computer: crate::computer::Computer,
    /// The lease was granted beyond the licensed seats (kept here, where the
    /// layout has room, not in the slot).
    pub overdraft: bool,
    /// Units of an element pool the lease holds (1 for a seat).
    pub units: u16,
}

impl HolderNames {
    #[must_use]
    pub fn new(
        product: Arc<str>,
        app_name: Arc<str>,
        app_version: Arc<str>,
        [client_id, user, host, address]: [&str; 4],
    ) -> Self {
        let text = [client_id, user, host, address].concat();
        let end = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let a = client_id.len();
        let b = a + user.len();
        let c = b + host.len();
        Self {
            product,
            app_name,
            app_version,
            text: text.into_boxed_str(),
            ends: [end(a), end(b), end(c)],
            computer: crate::computer::Computer::UNKNOWN,
            overdraft: false,
            units: 1,
        }
    }

    fn part(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends.get(i).map_or(self.text.len(), |&e| e as usize);
        self.text.get(start..end).unwrap_or("")
    }

    #[must_use]
    pub fn client_id(&self) -> &str {
        self.part(0)
    }

    #[must_use]
    pub fn user(&self) -> &str {
        self.part(1)
    }

    #[must_use]
    pub fn host(&self) -> &str {
        self.part(2)
    }

    #[must_use]
    pub fn address(&self) -> &str {
        self.part(3)
    }
}

/// One lease as copied for the list: what it is sorted and searched by
/// (48 bytes; the names are shared with the table).
#[derive(Clone, Debug)]
pub struct Listed {
    pub id: LeaseId,
    pub names: Arc<HolderNames>,
    pub granted_at: Timestamp,
    pub renewed_at: Timestamp,
    pub expires_at: Timestamp,
}

/// What a row is ordered by under one sort: two texts compared without
/// regard to ASCII case (the second breaks ties, e.g. a host's client id so
/// one computer's leases stay together), or a time. The lease id decides
/// between equal keys, so the order is total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Key {
    Text(String, String),
    Time(i64),
}

#[derive(Clone, Copy)]
enum KeyRef<'a> {
    Text(&'a str, &'a str),
    Time(i64),
}

impl Listed {
    fn key(&self, sort: ComputerSort) -> KeyRef<'_> {
        let n = &*self.names;
        match sort {
            ComputerSort::Host => KeyRef::Text(n.host(), n.client_id()),
            ComputerSort::User => KeyRef::Text(n.user(), ""),
            ComputerSort::Product => KeyRef::Text(&n.product, ""),
            ComputerSort::Address => KeyRef::Text(n.address(), ""),
            ComputerSort::App => KeyRef::Text(&n.app_name, &n.app_version),
            ComputerSort::Since => KeyRef::Time(self.granted_at.0),
            ComputerSort::Renewed => KeyRef::Time(self.renewed_at.0),
            ComputerSort::Expires => KeyRef::Time(self.expires_at.0),
        }
    }

    /// Every text the search looks in.
    fn texts(&self) -> [&str; 7] {
        let n = &*self.names;
        [
            n.host(),
            n.user(),
            &n.product,
            n.address(),
            &n.app_name,
            &n.app_version,
            n.client_id(),
        ]
    }
}

fn fold_cmp(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// The first 16 bytes of a key, in an integer that orders as the key does
/// (text folded to ASCII lower case and padded with zero bytes, which sort
/// before any character; a time shifted to be unsigned).
fn prefix(key: KeyRef<'_>) -> u128 {
    match key {
        KeyRef::Text(a, _) => {
            let mut bytes = [0u8; 16];
            for (b, c) in bytes.iter_mut().zip(a.bytes()) {
                *b = c.to_ascii_lowercase();
            }
            u128::from_be_bytes(bytes)
        }
        KeyRef::Time(t) => u128::from(t.cast_unsigned() ^ (1 << 63)),
    }
}

fn key_cmp(a: KeyRef<'_>, b: KeyRef<'_>) -> Ordering {
    match (a, b) {
        (KeyRef::Text(a1, a2), KeyRef::Text(b1, b2)) => {
            fold_cmp(a1, b1).then_with(|| fold_cmp(a2, b2))
        }
        (KeyRef::Time(a), KeyRef::Time(b)) => a.cmp(&b),
        // One sort never mixes kinds; a cursor of another sort is refused
        // before it gets here.
        (KeyRef::Text(..), KeyRef::Time(_)) => Ordering::Less,
        (KeyRef::Time(_), KeyRef::Text(..)) => Ordering::Greater,
    }
}

/// Where a page ends: the sort it belongs to and its last row's key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub sort: ComputerSort,
    pub order: SortOrder,
    pub key: Key,
    pub id: LeaseId,
}

/// The longest cursor accepted (a real one is well under 1 KiB).
const MAX_CURSOR_CHARS: usize = 4096;

impl Cursor {
    /// The opaque text a client sends back for the next page.
    #[must_use]
    pub fn encode(&self) -> String {
        // Serializing plain data to JSON cannot fail; an empty cursor would
        // only restart the list.
        hex::encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// # Errors
    /// A sentence for the client when the text is not a cursor of this sort.
    pub fn decode(text: &str, sort: ComputerSort, order: SortOrder) -> Result<Self, String> {
        const AGAIN: &str = "ask for the first page again (without `cursor`)";
        if text.len() > MAX_CURSOR_CHARS {
            return Err(format!("the cursor is too long; {AGAIN}"));
        }
        let cursor: Cursor = hex::decode(text)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| format!("the cursor is not one this server gave; {AGAIN}"))?;
        if cursor.sort != sort || cursor.order != order {
            return Err(format!(
                "the cursor belongs to another sort ({} {}); {AGAIN}",
                cursor.sort.as_str(),
                cursor.order.as_str()
            ));
        }
        Ok(cursor)
    }

    fn key_ref(&self) -> KeyRef<'_> {
        match &self.key {
            Key::Text(a, b) => KeyRef::Text(a, b),
            Key::Time(t) => KeyRef::Time(*t),
        }
    }
}

/// A search: words that must each appear (any case) in one of the row's
/// texts (computer, user, product, address, application, version, client id).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Search {
    words: Vec<String>,
}

impl Search {
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        words.sort();
        words.dedup();
        Self { words }
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    fn matches(&self, row: &Listed) -> bool {
        let texts = row.texts();
        self.words
            .iter()
            .all(|w| texts.iter().any(|t| contains_folded(t, w)))
    }
}

/// Whether `text` contains `word` (already lower case), ignoring case.
fn contains_folded(text: &str, word: &str) -> bool {
    if word.is_ascii() {
        let (t, w) = (text.as_bytes(), word.as_bytes());
        return t.len() >= w.len() && t.windows(w.len()).any(|s| s.eq_ignore_ascii_case(w));
    }
    text.to_lowercase().contains(word)
}

const SORTS: usize = ComputerSort::ALL.len();

/// The copied leases, with each sort's order worked out when first asked.
#[derive(Debug)]
pub struct Listing {
    rows: Vec<Listed>,
    orders: [OnceLock<Arc<[u32]>>; SORTS],
}

impl Listing {
    #[must_use]
    pub fn new(rows: Vec<Listed>) -> Self {
        Self {
            rows,
            orders: Default::default(),
        }
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Row numbers in ascending order of `sort` (a sort of every row the
    /// first time; kept for the next call).
    pub fn order(&self, sort: ComputerSort) -> Arc<[u32]> {
        let cell = &self.orders[sort.index()];
        Arc::clone(cell.get_or_init(|| self.sorted(sort)))
    }

    /// Sorts by a 16-byte prefix of each key held inline (no pointer is
    /// followed per comparison, which is what makes a million fast), then
    /// puts each run of equal prefixes in full order.
    fn sorted(&self, sort: ComputerSort) -> Arc<[u32]> {
        let mut keyed: Vec<(u128, u32)> = (0..self.rows.len())
            .zip(&self.rows)
            .map(|(i, r)| (prefix(r.key(sort)), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        keyed.sort_unstable();
        let mut order: Vec<u32> = keyed.iter().map(|&(_, i)| i).collect();
        let mut start = 0;
        while start < keyed.len() {
            let p = keyed[start].0;
            let end = start + keyed[start..].iter().take_while(|k| k.0 == p).count();
            if end - start > 1 {
                order[start..end].sort_unstable_by(|&a, &b| self.cmp_rows(a, b, sort));
            }
            start = end;
        }
        order.into()
    }

    /// The rows of `order` that match `search`, in the same order.
    #[must_use]
    pub fn filter(&self, order: &[u32], search: &Search) -> Arc<[u32]> {
        order
            .iter()
            .copied()
            .filter(|&i| self.row(i).is_some_and(|r| search.matches(r)))
            .collect()
    }

    /// Up to `limit` lease ids of `order`, read in `direction`, after the
    /// cursor `after`; and the cursor of the last one when more follow.
    #[must_use]
    pub fn page(
        &self,
        order: &[u32],
        sort: ComputerSort,
        direction: SortOrder,
        after: Option<&Cursor>,
        limit: usize,
    ) -> (Vec<LeaseId>, Option<Cursor>) {
        let rows: Box<dyn Iterator<Item = u32>> = match (direction, after) {
            (SortOrder::Asc, None) => Box::new(order.iter().copied()),
            (SortOrder::Desc, None) => Box::new(order.iter().rev().copied()),
            (SortOrder::Asc, Some(c)) => {
                let start = order.partition_point(|&i| self.cmp_cursor(i, c) != Ordering::Greater);
                Box::new(order[start..].iter().copied())
            }
            (SortOrder::Desc, Some(c)) => {
                let end = order.partition_point(|&i| self.cmp_cursor(i, c) == Ordering::Less);
                Box::new(order[..end].iter().rev().copied())
            }
        };
        let mut rows = rows.peekable();
        let mut ids = Vec::with_capacity(limit.min(order.len()));
        let mut last = None;
        while ids.len() < limit {
            let Some(i) = rows.next() else { break };
            if let Some(row) = self.row(i) {
                ids.push(row.id);
                last = Some(row);
            }
        }
        let next = match (last, rows.peek()) {
            (Some(row), Some(_)) => Some(Cursor {
                sort,
                order: direction,
                key: match row.key(sort) {
                    KeyRef::Text(a, b) => Key::Text(a.to_owned(), b.to_owned()),
                    KeyRef::Time(t) => Key::Time(t),
                },
                id: row.id,
            }),
            _ => None,
        };
        (ids, next)
    }

    fn row(&self, i: u32) -> Option<&Listed> {
        self.rows.get(i as usize)
    }

    fn cmp_rows(&self, a: u32, b: u32, sort: ComputerSort) -> Ordering {
        match (self.row(a), self.row(b)) {
            (Some(a), Some(b)) => key_cmp(a.key(sort), b.key(sort)).then_with(|| a.id.cmp(&b.id)),
            _ => a.cmp(&b),
        }
    }

    fn cmp_cursor(&self, i: u32, c: &Cursor) -> Ordering {
        self.row(i).map_or(Ordering::Less, |r| {
            key_cmp(r.key(c.sort), c.key_ref()).then_with(|| r.id.cmp(&c.id))
        })
    }
}

#[cfg(test)]
#[path = "listing_tests.rs"]
mod tests;
