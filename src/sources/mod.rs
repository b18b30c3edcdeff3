//! Reading servers: where progress comes from (and, for the from-Hardcover direction, goes back to).
//!
//! One [`ProgressSource`] per configured server; each module turns its server's shapes into the
//! normalized [`SourceItem`]. Each server's response parsing is a pure `parse_*(&[u8])` function
//! (fuzzed in `fuzz/`); the HTTP around it lives in the source type.

pub mod address;
pub mod audiobookshelf;
pub mod device;
mod http;
pub mod kavita;
pub mod kobo;
pub mod komga;
pub mod koreader;
pub mod kosync;
pub mod model;
pub mod normalize;
pub mod parse;
mod report;
pub mod revenge;

use std::sync::Arc;

pub use model::{Format, Highlight, ProgressSource, SourceError, SourceItem, Unit, WriteBack};
pub use report::{ProgressReport, SourceFailure, collect};

use crate::config::{SourceConfig, SourceKind};
use crate::secret::Secret;
use crate::store::Store;

/// Build the source for one configured server.
///
/// `secret` is the API key (Audiobookshelf, Komga, Kavita) or password (kosync, Revenge) the caller
/// found in the keyring; a value in the config file wins over it. A missing one is a clear error.
pub fn build(
    config: &SourceConfig,
    secret: Option<Secret>,
    store: Arc<Store>,
) -> Result<Box<dyn ProgressSource>, SourceError> {
    let name = config.name.as_str();
    let missing = |what: &str| SourceError::Config {
        source_name: name.to_owned(),
        detail: format!(
            "no {what} for this source: put `{what}` in the config or store it in the keyring for source {name:?}"
        ),
    };
    Ok(match config.kind {
        SourceKind::Audiobookshelf => {
            let key = config.api_key.clone().or(secret).filter(|s| !s.is_empty()).ok_or_else(|| missing("api_key"))?;
            Box::new(audiobookshelf::Audiobookshelf::new(name, &config.url, key)?)
        }
        SourceKind::Komga => {
            let key = config.api_key.clone().or(secret).filter(|s| !s.is_empty()).ok_or_else(|| missing("api_key"))?;
            Box::new(komga::Komga::new(name, &config.url, key)?)
        }
        SourceKind::Kavita => {
            let key = config.api_key.clone().or(secret).filter(|s| !s.is_empty()).ok_or_else(|| missing("api_key"))?;
            Box::new(kavita::Kavita::new(name, &config.url, key)?)
        }
        SourceKind::Kosync => {
            let user = config.username.clone().ok_or_else(|| missing("username"))?;
            let password =
                config.password.clone().or(secret).filter(|s| !s.is_empty()).ok_or_else(|| missing("password"))?;
            Box::new(kosync::Kosync::new(name, &config.url, &user, &password, config.library.clone(), store)?)
        }
        SourceKind::Revenge => {
            // A static bearer token (api_key) or a login (username + password).
            let auth = match (&config.api_key, &config.username) {
                (Some(key), _) if !key.is_empty() => revenge::Auth::Token(key.clone()),
                (_, Some(user)) => {
                    let password = config
                        .password
                        .clone()
                        .or(secret)
                        .filter(|s| !s.is_empty())
                        .ok_or_else(|| missing("password"))?;
                    revenge::Auth::Login { username: user.clone(), password }
                }
                _ => match secret.filter(|s| !s.is_empty()) {
                    Some(token) => revenge::Auth::Token(token),
                    None => return Err(missing("username")),
                },
            };
            Box::new(revenge::Revenge::new(name, &config.url, auth)?)
        }
        SourceKind::Kobo => Box::new(kobo::Kobo::new(name, config.path.clone())),
        SourceKind::Koreader => Box::new(koreader::Koreader::new(name, config.path.clone())),
    })
}
