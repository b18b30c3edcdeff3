//! The Settings panel over the YAML config file.
//!
//! The file is the user's: it may hold keys the panel does not show (client_id, api_url, oauth,
//! `${ENV}` references). Saving loads it as plain YAML, changes only the keys the panel owns,
//! checks the result with the same parser the app starts with, and only then replaces the file
//! (atomically). Comments do not survive a save (yaml_serde drops them).
//!
//! Secrets typed for a source never go into the config file: they go to the OS keyring, or with
//! `token_store: file` (or no keyring in the session) to a private 0600 file whose path the save
//! reports, so the user knows where it is. A typed secret is never dropped silently.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use yaml_serde::{Mapping, Value};

use crate::app::App;
use crate::auth::{SecretPlace, set_source_secret, source_secret};
use crate::config::{Config, Direction, SourceConfig, SourceKind, TokenStoreKind};
use crate::secret::Secret;

use super::error::ShelfError;

/// The settings page, as the window shows and sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Like `30m`, `1h` or `1h30m`; at least `1m`.
    pub interval: String,
    pub direction: Direction,
    pub regression_guard: bool,
    /// 0 to 1.
    pub currently_reading_threshold: f64,
    pub sync_ratings: bool,
    pub overwrite_ratings: bool,
    pub notifications: NotificationSettings,
    /// Not in the config file: the desktop's login items are the truth, so the shell fills it in
    /// (and applies it) itself.
    #[serde(default)]
    pub start_at_login: bool,
    pub token_store: TokenStoreKind,
    pub sources: Vec<SourceSettings>,
    /// Output only: the private file a save put typed secrets in, when not the keyring. Ignored
    /// on save.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, as = "Option<String>"))]
    pub secrets_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotificationSettings {
    pub finished: bool,
    pub failures: bool,
    pub reconnect: bool,
}

/// A reading server as the settings page edits it. `secret` is write-only: it is accepted when the
/// user types a new one and never sent back (`hasSecret` tells whether one is stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SourceSettings {
    pub kind: SourceKind,
    pub name: String,
    pub url: String,
    #[serde(default)]
    pub username: Option<String>,
    /// kosync: folders with the user's book files.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Vec<String>"))]
    pub library: Vec<PathBuf>,
    /// Kobo and KOReader: where the device is mounted, when fixed. `None` on save keeps the file's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional, as = "Option<String>"))]
    pub path: Option<PathBuf>,
    /// The page has no on/off switch per source: [`Settings::from_page`] keeps the config's.
    #[serde(skip_serializing, default = "yes")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub enabled: bool,
    /// Output only: whether a key or password is known (config or keyring). Ignored on save.
    #[serde(default)]
    pub has_secret: bool,
    /// Input only: a new API key or password typed in the panel. Never serialized.
    #[serde(default, skip_serializing)]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub secret: Option<Secret>,
}

impl Settings {
    /// The settings as the page sent them, made ready to save over `current` (the config as
    /// loaded now): see [`SourceSettings::from_page`].
    pub fn from_page(mut self, current: &Config) -> Self {
        self.sources = self.sources.into_iter().map(|s| s.from_page(current)).collect();
        self
    }
}

impl SourceSettings {
    /// One source as the page sent it: its name trimmed (it keys the config and the keyring), and
    /// its on/off switch kept from the config entry of the same name (a new source starts enabled).
    pub fn from_page(mut self, current: &Config) -> Self {
        self.name = self.name.trim().to_owned();
        self.enabled = current.sources.iter().find(|c| c.name == self.name).is_none_or(|c| c.enabled);
        self
    }
}

fn yes() -> bool {
    true
}

/// Where source secrets live. The keyring or the private file in the app; a fake in tests.
pub trait SecretStore {
    fn has(&self, kind: TokenStoreKind, source: &str) -> bool;
    /// Keep `secret`; says where it went.
    fn set(&self, kind: TokenStoreKind, source: &str, secret: &Secret) -> Result<SecretPlace, ShelfError>;
}

/// The OS keyring, else the private secrets file, through `auth::source_secret` /
/// `auth::set_source_secret`.
pub struct SystemSecrets {
    /// [`crate::paths::AppPaths::source_secrets_file`].
    pub file: PathBuf,
}

impl SecretStore for SystemSecrets {
    fn has(&self, kind: TokenStoreKind, source: &str) -> bool {
        // An unreachable keyring shows as "no secret", not as a panel that cannot open.
        matches!(source_secret(kind, &self.file, source), Ok(Some(_)))
    }

    fn set(&self, kind: TokenStoreKind, source: &str, secret: &Secret) -> Result<SecretPlace, ShelfError> {
        set_source_secret(kind, &self.file, source, secret)
            .map_err(|e| ShelfError::Internal(format!("cannot keep the secret of source {source:?}: {e}")))
    }
}

/// The settings as the config file has them now (re-read: it may have changed since `app` opened).
pub fn load(app: &App) -> Result<Settings, ShelfError> {
    let secrets = SystemSecrets { file: app.paths.source_secrets_file() };
    load_with(&app.paths.config_file, &secrets, &|name| std::env::var(name).ok())
}

/// [`load`] from `path`, with the secret store and environment injected.
pub fn load_with(
    path: &Path,
    secrets: &dyn SecretStore,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, ShelfError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(ShelfError::Internal(format!("cannot read the config file {}: {e}", path.display()))),
    };
    let config = Config::parse(&text, path, env).map_err(|e| ShelfError::InvalidInput(e.to_string()))?;
    Ok(Settings::from_config(&config, secrets))
}

/// Save the panel's settings into the config file of `app`, keeping every key the panel does
/// not own. Returns the settings as saved; restart the app's core (`App::open`) to apply them.
pub fn save(app: &App, settings: &Settings) -> Result<Settings, ShelfError> {
    let secrets = SystemSecrets { file: app.paths.source_secrets_file() };
    save_with(&app.paths.config_file, settings, &secrets, &|name| std::env::var(name).ok())
}

/// [`save`] with the secret store and environment injected.
pub fn save_with(
    path: &Path,
    settings: &Settings,
    secrets: &dyn SecretStore,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Settings, ShelfError> {
    let old_text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(ShelfError::Internal(format!("cannot read the config file {}: {e}", path.display()))),
    };
    let mut root: Value = if old_text.trim().is_empty() {
        Value::Mapping(Mapping::new())
    } else {
        yaml_serde::from_str(&old_text).map_err(|e| {
            ShelfError::InvalidInput(format!(
                "the config file {} is not valid YAML ({e}): fix it by hand before saving settings",
                path.display()
            ))
        })?
    };
    let typed: Vec<(&str, &Secret)> = settings
        .sources
        .iter()
        .filter_map(|s| s.secret.as_ref().filter(|x| !x.is_empty()).map(|x| (s.name.as_str(), x)))
        .collect();
    // A saved secret belongs to the server it was saved for: a source moved to another address
    // needs it typed again, or the next sync would send it to the new host.
    if let Ok(old) = Config::parse(&old_text, path, env) {
        for src in settings.sources.iter().filter(|s| s.secret.as_ref().is_none_or(|x| x.is_empty())) {
            let Some(before) = old.sources.iter().find(|o| o.name == src.name) else { continue };
            let has_secret = before.api_key.is_some()
                || before.password.is_some()
                || secrets.has(old.scrobbling.hardcover.token_store, &before.name);
            let now = src.to_config()?.url;
            if has_secret && before.url.origin() != now.origin() {
                return Err(ShelfError::InvalidInput(super::source_check::address_changed(
                    &src.name,
                    &before.url,
                    &now,
                )));
            }
        }
    }

    // Checked here as well as by the parser below, whose message for a malformed duration names
    // only the enclosing section.
    if let Err(e) = crate::config::parse_duration(&settings.interval) {
        return Err(ShelfError::InvalidInput(format!("scrobbling.hardcover.sync.interval: {e}")));
    }
    apply(&mut root, settings)?;
    let text = unquote_placeholders(
        &yaml_serde::to_string(&root).map_err(|e| ShelfError::Internal(format!("cannot write YAML: {e}")))?,
    );
    let config = Config::parse(&text, path, env).map_err(|e| ShelfError::InvalidInput(e.to_string()))?;

    // Secrets first: if they cannot be kept, the config file is left as it was.
    let mut secrets_file = None;
    for (name, secret) in &typed {
        if let SecretPlace::File(file) = secrets.set(config.scrobbling.hardcover.token_store, name, secret)? {
            secrets_file = Some(file);
        }
    }
    write_atomically(path, &text)?;
    Ok(Settings { secrets_file, ..Settings::from_config(&config, secrets) })
}

impl Settings {
    fn from_config(c: &Config, secrets: &dyn SecretStore) -> Settings {
        let hc = &c.scrobbling.hardcover;
        let sync = &hc.sync;
        Settings {
            interval: format_duration(sync.interval),
            direction: sync.direction,
            regression_guard: sync.regression_guard,
            currently_reading_threshold: sync.currently_reading_threshold,
            sync_ratings: sync.sync_ratings,
            overwrite_ratings: sync.overwrite_ratings,
            notifications: NotificationSettings {
                finished: c.notifications.finished,
                failures: c.notifications.failures,
                reconnect: c.notifications.reconnect,
            },
            start_at_login: false,
            token_store: hc.token_store,
            sources: c
                .sources
                .iter()
                .map(|s| SourceSettings {
                    kind: s.kind,
                    name: s.name.clone(),
                    url: s.url.to_string(),
                    username: s.username.clone(),
                    library: s.library.clone(),
                    path: s.path.clone(),
                    enabled: s.enabled,
                    has_secret: s.api_key.is_some() || s.password.is_some() || secrets.has(hc.token_store, &s.name),
                    secret: None,
                })
                .collect(),
            secrets_file: None,
        }
    }
}

impl SourceSettings {
    /// The source as the sync would build it (for [`super::test_source`]), before it is saved.
    pub fn to_config(&self) -> Result<SourceConfig, ShelfError> {
        let url = if self.kind.is_device() {
            // An e-reader is read from its mount, not an address.
            crate::config::SourceConfig::no_url()
        } else {
            crate::sources::address::parse_url(&self.url)
                .map_err(|e| ShelfError::InvalidInput(format!("sources.{}.url {e}", self.name)))?
        };
        Ok(SourceConfig {
            kind: self.kind,
            name: self.name.clone(),
            url,
            api_key: None,
            username: self.username.clone().filter(|u| !u.trim().is_empty()),
            password: None,
            library: self.library.clone(),
            path: self.path.clone(),
            journal: None,
            mark_owned: false,
            enabled: self.enabled,
        })
    }
}

fn key(k: &str) -> Value {
    Value::String(k.to_owned())
}

/// The mapping under `k`, made (replacing a null or scalar) when missing.
fn child<'a>(m: &'a mut Mapping, k: &str) -> &'a mut Mapping {
    let v = m.entry(key(k)).or_insert_with(|| Value::Mapping(Mapping::new()));
    if !v.is_mapping() {
        *v = Value::Mapping(Mapping::new());
    }
    v.as_mapping_mut().expect("made a mapping above")
}

fn to_value<T: Serialize>(v: &T) -> Result<Value, ShelfError> {
    yaml_serde::to_value(v).map_err(|e| ShelfError::Internal(format!("cannot write YAML: {e}")))
}

/// Write the panel's keys into the loaded file, leaving every other key as it was.
fn apply(root: &mut Value, s: &Settings) -> Result<(), ShelfError> {
    if !root.is_mapping() {
        return Err(ShelfError::InvalidInput(
            "the config file does not hold a YAML mapping at its top: fix it by hand before saving settings".into(),
        ));
    }
    let top = root.as_mapping_mut().expect("checked above");
    let hc = child(child(top, "scrobbling"), "hardcover");
    hc.insert(key("token_store"), to_value(&s.token_store)?);
    let sync = child(hc, "sync");
    sync.insert(key("interval"), Value::String(s.interval.trim().to_owned()));
    sync.insert(key("direction"), to_value(&s.direction)?);
    sync.insert(key("regression_guard"), Value::Bool(s.regression_guard));
    sync.insert(key("currently_reading_threshold"), to_value(&s.currently_reading_threshold)?);
    sync.insert(key("sync_ratings"), Value::Bool(s.sync_ratings));
    sync.insert(key("overwrite_ratings"), Value::Bool(s.overwrite_ratings));
    let n = child(top, "notifications");
    n.insert(key("finished"), Value::Bool(s.notifications.finished));
    n.insert(key("failures"), Value::Bool(s.notifications.failures));
    n.insert(key("reconnect"), Value::Bool(s.notifications.reconnect));

    let old: Vec<Value> = match top.get(key("sources")) {
        Some(Value::Sequence(seq)) => seq.clone(),
        _ => Vec::new(),
    };
    let mut sources = Vec::new();
    for src in &s.sources {
        // Start from the file's entry of the same name: it keeps api_key / password references
        // and anything else the panel does not show.
        let mut m = old
            .iter()
            .filter_map(Value::as_mapping)
            .find(|m| m.get(key("name")).and_then(Value::as_str) == Some(src.name.as_str()))
            .cloned()
            .unwrap_or_default();
        m.insert(key("kind"), to_value(&src.kind)?);
        m.insert(key("name"), Value::String(src.name.clone()));
        if src.kind.is_device() {
            // An e-reader has a mount path, not a server address.
            m.remove(key("url"));
        } else {
            m.insert(key("url"), Value::String(src.url.trim().to_owned()));
        }
        if let Some(path) = &src.path {
            m.insert(key("path"), to_value(path)?);
        }
        match src.username.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => m.insert(key("username"), Value::String(u.to_owned())),
            None => m.remove(key("username")),
        };
        if src.library.is_empty() {
            m.remove(key("library"));
        } else {
            m.insert(key("library"), to_value(&src.library)?);
        }
        m.insert(key("enabled"), Value::Bool(src.enabled));
        if src.secret.as_ref().is_some_and(|x| !x.is_empty()) {
            // A key or password in the file wins over the keyring: the one just typed must not
            // be shadowed by it.
            m.remove(key("api_key"));
            m.remove(key("password"));
        }
        sources.push(Value::Mapping(m));
    }
    top.insert(key("sources"), Value::Sequence(sources));
    Ok(())
}

/// yaml_serde quotes a scalar like `${HARDCOVER_CLIENT_ID}`; quoted, an unset variable would
/// expand to an empty string instead of "not set". Unquote whole-value references again.
fn unquote_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let fixed = ["'", "\""].iter().find_map(|q| {
            let inner = body.strip_suffix(q)?;
            let start = inner.rfind(&format!("{q}${{"))?;
            let name = inner[start + 3..].strip_suffix('}')?;
            let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            let prefix = &inner[..start];
            let whole = prefix.trim_end().ends_with(':') || prefix.trim_end().ends_with('-');
            (valid && whole).then(|| format!("{prefix}${{{name}}}"))
        });
        match fixed {
            Some(f) => {
                out.push_str(&f);
                if line.ends_with('\n') {
                    out.push('\n');
                }
            }
            None => out.push_str(line),
        }
    }
    out
}

/// `1h30m` for 5400 s: the shortest text the config parser reads back to the same duration.
pub fn format_duration(d: Duration) -> String {
    let mut s = d.as_secs();
    if s == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, len) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if s >= len {
            out.push_str(&format!("{}{unit}", s / len));
            s %= len;
        }
    }
    out
}

/// Replace the file in one step (temp file beside it, then rename), keeping its permissions (a
/// new file is made private): a crash mid-save must never leave a half-written config.
fn write_atomically(path: &Path, text: &str) -> Result<(), ShelfError> {
    let io = |e: std::io::Error| ShelfError::Internal(format!("cannot save the config file {}: {e}", path.display()));
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "config".into());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", rand::random::<u32>()));
    let result = (|| {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        match std::fs::metadata(path) {
            Ok(meta) => std::fs::set_permissions(&tmp, meta.permissions())?,
            // A new file is the user's alone: it may come to hold a key they add by hand.
            #[cfg(unix)]
            Err(_) => {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?
            }
            #[cfg(not(unix))]
            Err(_) => {}
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_trip_through_the_config_parser() {
        for secs in [60, 1800, 3600, 5400, 86_400 + 61] {
            let text = format_duration(Duration::from_secs(secs));
            assert_eq!(
                crate::config::parse_duration(&text).unwrap(),
                Duration::from_secs(secs),
                "{text} must read back as {secs} s"
            );
        }
    }

    #[test]
    fn env_references_stay_unquoted() {
        let mut m = Mapping::new();
        m.insert(key("client_id"), Value::String("${HARDCOVER_CLIENT_ID}".into()));
        m.insert(key("list"), Value::Sequence(vec![Value::String("${LIB}".into())]));
        m.insert(key("plain"), Value::String("it's".into()));
        let text = unquote_placeholders(&yaml_serde::to_string(&Value::Mapping(m)).unwrap());
        assert!(text.contains("client_id: ${HARDCOVER_CLIENT_ID}\n"), "a whole-value reference must be plain: {text}");
        assert!(text.contains("- ${LIB}\n"), "a reference in a list must be plain: {text}");
        let back: Value = yaml_serde::from_str(&text).unwrap();
        assert_eq!(back["plain"].as_str(), Some("it's"), "other quoted strings must be left alone");
    }

    #[test]
    fn the_page_s_settings_keep_each_source_s_switch_and_come_back_as_sent() {
        let current = Config::parse(
            "sources:\n  - kind: komga\n    name: comics\n    url: http://komga.local\n    enabled: false\n\
             \x20 - kind: kosync\n    name: ko\n    url: http://ko.local\n    username: ada\n    library: [/books]\n",
            Path::new("config.yaml"),
            &|_| None,
        )
        .unwrap();
        // As the window sends them: camelCase, no `enabled`, a typed secret.
        let page = serde_json::json!({
            "interval": "1h", "direction": "to_hardcover", "regressionGuard": false,
            "currentlyReadingThreshold": 0.25, "syncRatings": true, "overwriteRatings": true,
            "notifications": {"finished": false, "failures": true, "reconnect": false},
            "startAtLogin": true, "tokenStore": "file",
            "sources": [
                {"kind": "komga", "name": " comics ", "url": "http://komga.lan", "username": null, "library": [], "hasSecret": false},
                {"kind": "kosync", "name": "ko", "url": "http://ko.local", "username": "ada", "library": ["/books"], "hasSecret": true},
                {"kind": "revenge", "name": "new", "url": "http://rev.local", "username": null, "library": [], "hasSecret": false, "secret": "typed"}
            ]
        });
        let settings: Settings = serde_json::from_value(page.clone()).expect("the page's settings must parse");
        let saved = settings.from_page(&current);
        let enabled: Vec<bool> = saved.sources.iter().map(|s| s.enabled).collect();
        assert_eq!(
            enabled,
            [false, true, true],
            "the page has no on/off switch: a disabled source stays disabled, a new one starts enabled"
        );
        assert_eq!(saved.sources[0].name, "comics", "names are trimmed before they key the config and keyring");
        assert_eq!(saved.sources[2].secret.as_ref().map(|s| s.expose()), Some("typed"), "a typed secret is passed on");

        let mut want = page;
        want["sources"][0]["name"] = "comics".into();
        want["sources"][2].as_object_mut().unwrap().remove("secret");
        assert_eq!(
            serde_json::to_value(&saved).unwrap(),
            want,
            "every field the page edits must come back as it was sent (secrets never come back)"
        );
    }
}
