//! The UI is built to be served at `/ui/` (its asset URLs start with `/ui/`),
//! which is also where the headless server serves it. The window opens
//! `tauri://localhost/ui/` and this wrapper finds `/ui/x` at `/x` in the
//! embedded `ui/dist`, so one build works in both places.

use std::borrow::Cow;
use tauri::utils::assets::{AssetKey, AssetsIter, CspHash};
use tauri::{Assets, Context, Runtime};

const PREFIX: &str = "/ui";

/// Swaps the context's embedded assets for the same assets under `/ui/`.
pub fn serve_under_ui<R: Runtime>(context: &mut Context<R>) {
    let inner = context.set_assets(Box::new(Nothing));
    context.set_assets(Box::new(UnderUi { inner }));
}

/// `/ui/assets/a.js` -> `/assets/a.js`; `/ui` and `/ui/` -> `/`; others unchanged.
fn strip(key: &AssetKey) -> Option<AssetKey> {
    let rest = key.as_ref().strip_prefix(PREFIX)?;
    match rest {
        "" => Some(AssetKey::from("/")),
        r if r.starts_with('/') => Some(AssetKey::from(r)),
        _ => None,
    }
}

struct UnderUi<R: Runtime> {
    inner: Box<dyn Assets<R>>,
}

impl<R: Runtime> Assets<R> for UnderUi<R> {
    fn setup(&self, app: &tauri::App<R>) {
        self.inner.setup(app);
    }

    fn get(&self, key: &AssetKey) -> Option<Cow<'_, [u8]>> {
        match strip(key) {
            Some(k) => self.inner.get(&k),
            None => self.inner.get(key),
        }
    }

    fn iter(&self) -> Box<AssetsIter<'_>> {
        self.inner.iter()
    }

    fn csp_hashes(&self, html_path: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        match strip(html_path) {
            Some(k) => self.inner.csp_hashes(&k),
            None => self.inner.csp_hashes(html_path),
        }
    }
}

/// Holds the place for the moment the real assets are being wrapped.
struct Nothing;

impl<R: Runtime> Assets<R> for Nothing {
    fn get(&self, _: &AssetKey) -> Option<Cow<'_, [u8]>> {
        None
    }

    fn iter(&self) -> Box<AssetsIter<'_>> {
        Box::new(std::iter::empty())
    }

    fn csp_hashes(&self, _: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        Box::new(std::iter::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_paths_map_to_the_dist_root() {
        let s = |p: &str| strip(&AssetKey::from(p)).map(String::from);
        assert_eq!(
            s("/ui/assets/index.js").as_deref(),
            Some("/assets/index.js")
        );
        assert_eq!(s("/ui/index.html").as_deref(), Some("/index.html"));
        assert_eq!(s("/ui").as_deref(), Some("/"));
        assert_eq!(s("/uix/a.js"), None);
        assert_eq!(s("/index.html"), None);
    }
}
