//! The YAML config file: keys, defaults, `${ENV}` expansion and errors that name the key and line.
//!
//! Key names are the seed's and are kept stable: users and scripts rely on them. Unknown keys are
//! errors (a typo must not silently fall back to a default).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use url::Url;

use crate::secret::Secret;

pub const DEFAULT_API_URL: &str = "https://api.hardcover.app/v1/graphql";
pub const DEFAULT_ISSUER: &str = "https://api.hardcover.app";
pub const DEFAULT_AUTHORIZE_URL: &str = "https://hardcover.app/oauth2/authorize";
pub const DEFAULT_TOKEN_URL: &str = "https://api.hardcover.app/oauth2/token";
pub const DEFAULT_REVOKE_URL: &str = "https://api.hardcover.app/oauth2/revoke";
pub const DEFAULT_DEVICE_URL: &str = "https://api.hardcover.app/oauth2/device";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub scrobbling: Scrobbling,
    pub sources: Vec<SourceConfig>,
    pub notifications: Notifications,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scrobbling {
    pub hardcover: HardcoverConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HardcoverConfig {
    pub enabled: bool,
    pub client_id: Option<String>,
    /// Optional: Hardcover desktop apps are public clients.
    pub client_secret: Option<Secret>,
    /// Optional: by default a loopback redirect on a free port.
    pub redirect_uri: Option<Url>,
    pub api_url: Url,
    /// The authorization server's issuer, which the OAuth callback's `iss` must equal.
    pub issuer: String,
    pub oauth: OAuthEndpoints,
    pub token_store: TokenStoreKind,
    pub sync: SyncConfig,
}

impl Default for HardcoverConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            client_id: None,
            client_secret: None,
            redirect_uri: None,
            api_url: Url::parse(DEFAULT_API_URL).expect("default api url"),
            issuer: DEFAULT_ISSUER.into(),
            oauth: OAuthEndpoints::default(),
            token_store: TokenStoreKind::Keyring,
            sync: SyncConfig::default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OAuthEndpoints {
    pub authorize_url: Url,
    pub token_url: Url,
    pub revoke_url: Url,
    pub device_url: Url,
}

impl Default for OAuthEndpoints {
    fn default() -> Self {
        let u = |s: &str| Url::parse(s).expect("default oauth url");
        Self {
            authorize_url: u(DEFAULT_AUTHORIZE_URL),
            token_url: u(DEFAULT_TOKEN_URL),
            revoke_url: u(DEFAULT_REVOKE_URL),
            device_url: u(DEFAULT_DEVICE_URL),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(rename = "TokenStore"))]
#[serde(rename_all = "snake_case")]
pub enum TokenStoreKind {
    /// The desktop's Secret Service (GNOME Keyring, KWallet), macOS Keychain, Windows Credential Manager.
    #[default]
    Keyring,
    /// A 0600 file in the data dir, for headless machines without a keyring.
    File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    ToHardcover,
    FromHardcover,
    #[default]
    Bidirectional,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    #[serde(deserialize_with = "de_duration")]
    pub interval: Duration,
    pub direction: Direction,
    /// Never lower Hardcover's progress (a stale device must not undo a read). Off only on purpose.
    pub regression_guard: bool,
    /// Fraction of a book past which a Want to Read book becomes Currently Reading.
    pub currently_reading_threshold: f64,
    /// Send the source's rating when a book is finished.
    pub sync_ratings: bool,
    /// Replace a rating the user already set on Hardcover.
    pub overwrite_ratings: bool,
    /// How long a change sent without an answer is given before the next sync decides from
    /// Hardcover's state that it did not arrive: Hardcover may still be processing it. `0s` turns
    /// the wait off.
    #[serde(deserialize_with = "de_duration")]
    pub outbox_settle: Duration,
    /// Who sees the journal entries made from highlights: `private` (default), `followers`, `public`.
    pub journal_privacy: JournalPrivacy,
    /// Delete a highlight's journal entry when the highlight is removed on the device (off: the
    /// entry stays on Hardcover).
    pub delete_removed_highlights: bool,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(30 * 60),
            direction: Direction::default(),
            regression_guard: true,
            currently_reading_threshold: 0.01,
            sync_ratings: true,
            overwrite_ratings: false,
            outbox_settle: crate::sync::outbox::SETTLE_WINDOW,
            journal_privacy: JournalPrivacy::default(),
            delete_removed_highlights: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Audiobookshelf,
    Komga,
    Kavita,
    Kosync,
    Revenge,
    /// A stock Kobo e-reader over USB.
    Kobo,
    /// KOReader on any e-reader over USB, or a folder synced from one.
    Koreader,
}

impl SourceKind {
    /// E-readers read from a folder (a mounted device), not from a server.
    pub fn is_device(self) -> bool {
        matches!(self, SourceKind::Kobo | SourceKind::Koreader)
    }
}

/// One reading server. Which fields apply depends on `kind`; [`Config::validate`] checks them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub kind: SourceKind,
    /// Unique; shown in the UI and in history.
    pub name: String,
    /// The server's address. E-readers have none: theirs stays `file:///`.
    #[serde(default = "no_url", deserialize_with = "crate::sources::address::deserialize")]
    pub url: Url,
    /// Audiobookshelf, Komga, Kavita. When absent, read from the keyring entry for this source.
    #[serde(default)]
    pub api_key: Option<Secret>,
    /// kosync and Revenge.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<Secret>,
    /// kosync: folders holding the user's book files, hashed to find KOReader's document ids.
    #[serde(default)]
    pub library: Vec<PathBuf>,
    /// Kobo and KOReader: where the device is mounted (or the folder synced from it). When absent,
    /// the first mounted device of that kind is read.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// Send the source's highlights and notes to the Hardcover reading journal. Default: on for
    /// e-readers (the only sources that have highlights).
    #[serde(default)]
    pub journal: Option<bool>,
    /// Mark the books found on this source as owned on Hardcover (the matched edition, once).
    #[serde(default)]
    pub mark_owned: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

fn no_url() -> Url {
    SourceConfig::no_url()
}

impl SourceConfig {
    /// The `url` of a source that has none (an e-reader).
    pub fn no_url() -> Url {
        Url::parse("file:///").expect("a constant URL")
    }

    /// Whether its highlights go to the reading journal.
    pub fn sends_highlights(&self) -> bool {
        self.journal.unwrap_or(self.kind.is_device())
    }
}

/// Who sees the journal entries made from highlights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalPrivacy {
    Public,
    Followers,
    /// A highlight is a private note until the user says otherwise.
    #[default]
    Private,
}

impl JournalPrivacy {
    /// Hardcover's `privacy_setting_id`.
    pub fn id(self) -> i64 {
        match self {
            JournalPrivacy::Public => 1,
            JournalPrivacy::Followers => 2,
            JournalPrivacy::Private => 3,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Notifications {
    pub finished: bool,
    pub failures: bool,
    pub reconnect: bool,
}

impl Default for Notifications {
    fn default() -> Self {
        Self { finished: true, failures: true, reconnect: true }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("config file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Config {
    /// Load the config at `path`. A missing file means defaults; anything wrong is an error that
    /// names the file, the key and (when known) the line.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, path, &|name| std::env::var(name).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut c = Config::default();
                c.apply_env_fallbacks(&|name| std::env::var(name).ok());
                Ok(c)
            }
            Err(source) => Err(ConfigError::Read { path: path.to_path_buf(), source }),
        }
    }

    /// Parse config text. `env` looks up variables for `${NAME}` (injected so tests need not touch
    /// the process environment).
    pub fn parse(text: &str, path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid { path: path.to_path_buf(), message };
        let expanded = expand_env(text, env).map_err(invalid)?;
        let mut config: Config = if expanded.trim().is_empty() {
            Config::default()
        } else {
            yaml_serde::from_str(&expanded).map_err(|e| invalid(describe_yaml_error(&e)))?
        };
        config.apply_env_fallbacks(env);
        config.validate(text).map_err(invalid)?;
        Ok(config)
    }

    fn apply_env_fallbacks(&mut self, env: &dyn Fn(&str) -> Option<String>) {
        let hc = &mut self.scrobbling.hardcover;
        let non_empty = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        if hc.client_id.is_none() {
            hc.client_id = non_empty("HARDCOVER_CLIENT_ID");
        }
        if hc.client_secret.is_none() {
            hc.client_secret = non_empty("HARDCOVER_CLIENT_SECRET").map(Secret::new);
        }
        if hc.redirect_uri.is_none() {
            hc.redirect_uri = non_empty("HARDCOVER_REDIRECT_URI").and_then(|u| Url::parse(&u).ok());
        }
    }

    fn validate(&self, text: &str) -> Result<(), String> {
        let sync = &self.scrobbling.hardcover.sync;
        if sync.interval < Duration::from_secs(60) {
            return Err(at_key(text, "interval", "scrobbling.hardcover.sync.interval must be at least 1m"));
        }
        if !(0.0..=1.0).contains(&sync.currently_reading_threshold) {
            return Err(at_key(
                text,
                "currently_reading_threshold",
                "scrobbling.hardcover.sync.currently_reading_threshold must be between 0 and 1",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for s in &self.sources {
            if s.name.trim().is_empty() {
                return Err(at_key(text, "name", "sources[].name must not be empty"));
            }
            if !seen.insert(s.name.as_str()) {
                return Err(at_key(
                    text,
                    &s.name,
                    &format!("sources: the name {:?} is used twice; names must be unique", s.name),
                ));
            }
            if !s.kind.is_device() && !matches!(s.url.scheme(), "http" | "https") {
                return Err(at_key(
                    text,
                    &s.name,
                    &format!("sources.{} needs `url`: the server's address, e.g. http://nas.local:13378", s.name),
                ));
            }
            if !s.kind.is_device() && s.path.is_some() {
                return Err(at_key(
                    text,
                    &s.name,
                    &format!("sources.{}: `path` only applies to kinds kobo and koreader", s.name),
                ));
            }
            match s.kind {
                SourceKind::Kosync => {
                    if s.username.is_none() {
                        return Err(at_key(
                            text,
                            &s.name,
                            &format!("sources.{}: kind kosync needs `username`", s.name),
                        ));
                    }
                    if s.library.is_empty() {
                        return Err(at_key(
                            text,
                            &s.name,
                            &format!(
                                "sources.{}: kind kosync needs `library` (the folders with your book files)",
                                s.name
                            ),
                        ));
                    }
                }
                SourceKind::Audiobookshelf | SourceKind::Komga | SourceKind::Kavita => {
                    if !s.library.is_empty() {
                        return Err(at_key(
                            text,
                            &s.name,
                            &format!("sources.{}: `library` only applies to kind kosync", s.name),
                        ));
                    }
                }
                SourceKind::Revenge => {}
                SourceKind::Kobo | SourceKind::Koreader => {
                    if s.url.scheme() != "file" {
                        return Err(at_key(
                            text,
                            &s.name,
                            &format!(
                                "sources.{}: an e-reader has no `url`; set `path` to where it is mounted, or leave it out to find it",
                                s.name
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Replace `${NAME}` with the variable's value. An unset variable becomes an empty value (YAML
/// null), so optional keys like `client_secret: ${HARDCOVER_CLIENT_SECRET}` simply fall back to
/// their default. A value that is the whole scalar is quoted, so a secret holding `#` or `: `
/// cannot change the YAML's meaning.
fn expand_env(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    for (lineno, line) in text.split_inclusive('\n').enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("${") {
            let (before, after) = rest.split_at(start);
            let end = after.find('}').ok_or_else(|| format!("line {}: `${{` without a closing `}}`", lineno + 1))?;
            let name = &after[2..end];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!("line {}: `${{{name}}}` is not a valid variable name", lineno + 1));
            }
            let tail = &after[end + 1..];
            let whole_scalar = (before.trim_end().ends_with(':') || before.trim_end().ends_with('-'))
                && tail.trim_start().is_empty_or_comment();
            out.push_str(before);
            match env(name) {
                Some(v) if whole_scalar => out.push_str(&serde_json::to_string(&v).expect("string")),
                Some(v) => out.push_str(&v),
                None => {}
            }
            rest = tail;
        }
        out.push_str(rest);
    }
    Ok(out)
}

trait EmptyOrComment {
    fn is_empty_or_comment(&self) -> bool;
}

impl EmptyOrComment for str {
    fn is_empty_or_comment(&self) -> bool {
        self.is_empty() || self.starts_with('#')
    }
}

fn describe_yaml_error(e: &yaml_serde::Error) -> String {
    // yaml_serde's message already carries the key path and "at line L column C".
    e.to_string()
}

/// Point an error at the first line mentioning `needle`, when there is one.
fn at_key(text: &str, needle: &str, message: &str) -> String {
    match text.lines().position(|l| l.contains(needle)) {
        Some(i) => format!("{message} (line {})", i + 1),
        None => message.to_owned(),
    }
}

/// `30m`, `1h`, `90s`, `1h30m`, `2d`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    let mut total = 0u64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num.parse().map_err(|_| format!("{s:?} is not a duration like 30m, 1h or 90s"))?;
        num.clear();
        total += n * match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(format!("{s:?} is not a duration like 30m, 1h or 90s")),
        };
    }
    if !num.is_empty() {
        return Err(format!("{s:?} needs a unit: s, m, h or d (like 30m)"));
    }
    Ok(Duration::from_secs(total))
}

fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let s = String::deserialize(d)?;
    parse_duration(&s).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        let env = |name: &str| match name {
            "HARDCOVER_CLIENT_ID" => Some("client-123".to_owned()),
            "WEIRD" => Some("a#b: c".to_owned()),
            _ => None,
        };
        Config::parse(text, Path::new("config.yaml"), &env)
    }

    #[test]
    fn empty_file_gives_defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.scrobbling.hardcover.api_url.as_str(), DEFAULT_API_URL);
        assert_eq!(c.scrobbling.hardcover.sync.interval, Duration::from_secs(1800), "default interval is 30 minutes");
        assert_eq!(c.scrobbling.hardcover.sync.direction, Direction::Bidirectional);
        assert_eq!(
            c.scrobbling.hardcover.token_store,
            TokenStoreKind::Keyring,
            "the keyring is the default token store"
        );
        assert_eq!(
            c.scrobbling.hardcover.client_id.as_deref(),
            Some("client-123"),
            "HARDCOVER_CLIENT_ID fills an absent client_id"
        );
    }

    #[test]
    fn seed_keys_parse_with_env_expansion() {
        let c = parse(
            "scrobbling:\n  hardcover:\n    enabled: true\n    client_id: ${HARDCOVER_CLIENT_ID}\n    client_secret: ${HARDCOVER_CLIENT_SECRET}\n    redirect_uri: ${HARDCOVER_REDIRECT_URI}\n    api_url: http://127.0.0.1:9/v1/graphql\n    token_store: file\n    sync:\n      interval: 1h30m\n      direction: to_hardcover\nsources: []\n",
        )
        .unwrap();
        let hc = &c.scrobbling.hardcover;
        assert_eq!(hc.client_id.as_deref(), Some("client-123"));
        assert!(hc.client_secret.is_none(), "an unset ${{VAR}} must leave an optional key unset");
        assert!(hc.redirect_uri.is_none());
        assert_eq!(hc.token_store, TokenStoreKind::File);
        assert_eq!(hc.sync.interval, Duration::from_secs(5400));
        assert_eq!(hc.sync.direction, Direction::ToHardcover);
    }

    #[test]
    fn expanded_values_cannot_break_the_yaml() {
        let c = parse("sources:\n  - kind: komga\n    name: k\n    url: http://x\n    api_key: ${WEIRD}\n").unwrap();
        assert_eq!(
            c.sources[0].api_key.as_ref().unwrap().expose(),
            "a#b: c",
            "a value with # must survive expansion whole"
        );
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = parse("scrobbling:\n  hardcover:\n    enabled: true\n    intervall: 5m\n").unwrap_err().to_string();
        assert!(err.contains("intervall"), "the error must name the unknown key: {err}");
        assert!(err.contains("line 4"), "the error must name the line: {err}");
    }

    #[test]
    fn bad_values_name_key_and_line() {
        let err = parse("scrobbling:\n  hardcover:\n    sync:\n      direction: sideways\n").unwrap_err().to_string();
        assert!(err.contains("sideways") && err.contains("line 4"), "{err}");
        let err = parse("scrobbling:\n  hardcover:\n    sync:\n      interval: 30\n").unwrap_err().to_string();
        assert!(
            err.contains("unit") && err.contains("line 4"),
            "a unitless interval must be rejected with its line: {err}"
        );
        let err = parse("scrobbling:\n  hardcover:\n    sync:\n      interval: 10s\n").unwrap_err().to_string();
        assert!(err.contains("at least 1m") && err.contains("line 4"), "{err}");
    }

    #[test]
    fn e_readers_take_a_path_not_a_url() {
        let c = parse(
            "sources:\n  - {kind: kobo, name: libra, path: /media/me/KOBOeReader}\n  - {kind: koreader, name: ko}\n",
        )
        .expect("a device source needs no url");
        assert_eq!(c.sources[0].path.as_deref(), Some(Path::new("/media/me/KOBOeReader")));
        assert_eq!(c.sources[1].path, None, "without a path the mounted device is found");
        let err = parse("sources:\n  - {kind: komga, name: k, path: /media/x}\n").unwrap_err().to_string();
        assert!(err.contains("`url`") || err.contains("url"), "a server without a url must say so: {err}");
        let err =
            parse("sources:\n  - {kind: komga, name: k, url: 'http://x', path: /media/x}\n").unwrap_err().to_string();
        assert!(err.contains("`path` only applies"), "a path on a server source must be refused: {err}");
        let err = parse("sources:\n  - {kind: kobo, name: k, url: 'http://x'}\n").unwrap_err().to_string();
        assert!(err.contains("has no `url`"), "a url on an e-reader must be refused with what to set: {err}");
    }

    #[test]
    fn sources_are_validated() {
        let err = parse("sources:\n  - kind: kosync\n    name: ko\n    url: http://x\n    username: me\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("library"), "kosync without a library must say so: {err}");
        let err = parse(
            "sources:\n  - {kind: komga, name: a, url: 'http://x'}\n  - {kind: kavita, name: a, url: 'http://y'}\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("used twice"), "{err}");
        let err = parse("sources:\n  - {kind: plex, name: a, url: 'http://x'}\n").unwrap_err().to_string();
        assert!(err.contains("plex") && err.contains("line 2"), "{err}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("5x").is_err());
    }

    #[test]
    fn missing_file_is_defaults_but_unreadable_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Config::load(&dir.path().join("absent.yaml")).is_ok(), "an absent config file means defaults");
        let err = Config::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("cannot read config file"), "{err}");
    }
}
