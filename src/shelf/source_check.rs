//! "Test" in the source editor: build the source as the sync would and list it once.

use serde::Serialize;

use crate::app::App;
use crate::auth::source_secret;
use crate::config::SourceConfig;
use crate::secret::Secret;
use crate::sources;

/// What the editor shows after a test. A failing source is an answer (`ok: false`), not an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "TestSourceResult"))]
pub struct SourceTest {
    pub ok: bool,
    pub message: String,
    /// Items with progress the source listed.
    pub items: usize,
}

/// Build `source` and list it once. `secret` is what was just typed (it wins over the config and
/// the keyring, as it will once saved); without it the saved one is used, and only when `source`
/// still points at the server it was saved for: the page must never be able to send a saved key
/// or password to another host.
pub async fn test_source(app: &App, source: &SourceConfig, secret: Option<Secret>) -> SourceTest {
    let mut cfg = source.clone();
    cfg.api_key = None;
    cfg.password = None;
    let secret = match secret.filter(|s| !s.is_empty()) {
        Some(s) => Some(s),
        None => match app.config.sources.iter().find(|s| s.name == cfg.name) {
            Some(saved) if saved.url.origin() != cfg.url.origin() => {
                return SourceTest { ok: false, message: address_changed(&cfg.name, &saved.url, &cfg.url), items: 0 };
            }
            Some(saved) if saved.api_key.is_some() || saved.password.is_some() => {
                cfg.api_key = saved.api_key.clone();
                cfg.password = saved.password.clone();
                None
            }
            Some(_) => match source_secret(app.config.scrobbling.hardcover.token_store, &cfg.name) {
                Ok(s) => s,
                Err(e) => return SourceTest { ok: false, message: e.to_string(), items: 0 },
            },
            // Not saved yet: there is no saved secret that belongs to it.
            None => None,
        },
    };
    let built = match sources::build(&cfg, secret, std::sync::Arc::clone(app.store())) {
        Ok(b) => b,
        Err(e) => return SourceTest { ok: false, message: e.to_string(), items: 0 },
    };
    match built.list().await {
        Ok(items) => SourceTest {
            ok: true,
            message: format!("{}: connected, {} item(s) with reading progress", cfg.name, items.len()),
            items: items.len(),
        },
        Err(e) => SourceTest { ok: false, message: e.to_string(), items: 0 },
    }
}

/// Why a saved secret was not used: the source's address is not the one it was saved for.
pub fn address_changed(name: &str, saved: &url::Url, now: &url::Url) -> String {
    format!(
        "{name}: the address changed from {} to {}; enter the API key or password again for the new server (a saved one is only sent to the server it was saved for)",
        saved.origin().ascii_serialization(),
        now.origin().ascii_serialization()
    )
}
