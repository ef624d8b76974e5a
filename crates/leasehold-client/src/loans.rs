//! Seats borrowed on this computer (`client borrow`): each loan's token in
//! a file of its own, `DIR/<product in hex>.loan`, written whole (a
//! temporary file renamed over it), owner-only. Returning a loan early
//! renames it `.returned` at once (dead here, whatever the network says)
//! until the server has heard it.

use leasehold_core::Product;
use leasehold_core::wire::borrow::BorrowToken;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The most returns kept waiting for the server (a product each; a file
/// over this count is not written).
const MAX_PENDING: usize = 256;

/// Where this computer's loans are kept.
#[derive(Clone, Debug)]
pub struct Loans {
    dir: PathBuf,
}

impl Loans {
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The default place: `borrows/` next to the client settings.
    #[must_use]
    pub fn default_place() -> Option<Self> {
        let settings = crate::settings::default_path().ok()?;
        Some(Self::new(settings.parent()?.join("borrows")))
    }

    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, product: &Product, kind: &str) -> PathBuf {
        self.dir
            .join(format!("{}.{kind}", hex::encode(product.as_str())))
    }

    /// Keeps `token` as the loan of its product (replacing one before).
    ///
    /// # Errors
    /// The directory or file cannot be written.
    pub fn save(&self, token: &BorrowToken) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path(&token.product, "loan");
        let tmp = path.with_extension("loan.tmp");
        let text = serde_json::to_vec_pretty(token).map_err(std::io::Error::other)?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts.open(&tmp)?;
        file.write_all(&text)?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        Ok(path)
    }

    /// The loan of `product` kept here, if any (an unreadable file counts
    /// as none, with a warning).
    #[must_use]
    pub fn load(&self, product: &Product) -> Option<BorrowToken> {
        read(&self.path(product, "loan"))
    }

    /// Ends the loan of `product` here: from now on it is not used, and
    /// it waits to be told to the server. `None` when there is none.
    ///
    /// # Errors
    /// The file cannot be renamed (nothing changed then).
    pub fn mark_returned(&self, product: &Product) -> std::io::Result<Option<BorrowToken>> {
        let from = self.path(product, "loan");
        let Some(token) = read(&from) else {
            return Ok(None);
        };
        std::fs::rename(&from, self.path(product, "returned"))?;
        Ok(Some(token))
    }

    /// Loans returned here whose return the server has not heard yet.
    #[must_use]
    pub fn pending_returns(&self) -> Vec<BorrowToken> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "returned"))
            .take(MAX_PENDING)
            .filter_map(|p| read(&p))
            .collect()
    }

    /// Forgets a loan (the server heard its return, or ended it).
    pub fn forget(&self, product: &Product, kind: LoanFile) {
        let path = self.path(product, kind.extension());
        if let Err(e) = std::fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(file = %path.display(), error = %e, "cannot remove a loan file");
        }
    }
}

/// Which of a product's loan files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoanFile {
    Loan,
    Returned,
}

impl LoanFile {
    fn extension(self) -> &'static str {
        match self {
            Self::Loan => "loan",
            Self::Returned => "returned",
        }
    }
}

fn read(path: &Path) -> Option<BorrowToken> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "cannot read a loan file");
            return None;
        }
    };
    match serde_json::from_slice(&bytes) {
        Ok(token) => Some(token),
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "a loan file is damaged; ignored");
            None
        }
    }
}
