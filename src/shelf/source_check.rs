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
/// the keyring, as it will once saved); without it the saved one is used.
pub async fn test_source(app: &App, source: &SourceConfig, secret: Option<Secret>) -> SourceTest {
    let mut cfg = source.clone();
    let secret = match secret.filter(|s| !s.is_empty()) {
        Some(s) => {
            cfg.api_key = None;
            cfg.password = None;
            Some(s)
        }
        None => match source_secret(app.config.scrobbling.hardcover.token_store, &cfg.name) {
            Ok(s) => s,
            Err(e) => return SourceTest { ok: false, message: e.to_string(), items: 0 },
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
