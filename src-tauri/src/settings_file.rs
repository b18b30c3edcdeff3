//! Settings page ⇄ the YAML config file.
//!
//! Writing edits the file's YAML tree in place instead of re-serializing `Config`: keys the page
//! does not show (client id, API URL, `${ENV}` references, source secrets already in the file)
//! survive a save untouched. The result is validated with the core's own parser before it replaces
//! the file, so the page can never save a config the CLI would refuse.

use std::path::Path;
use std::time::Duration;

use hardcover_sync::config::{Config, SourceConfig, SourceKind, TokenStoreKind};
use serde_yaml::{Mapping, Value};

use crate::error::{IpcError, IpcResult};
use crate::model::{NotificationSettings, Settings, SourceKindDto, SourceSettings, TokenStore};

/// The page's view of `config`. `start_at_login` is not in the file: the OS login items are the
/// truth, so the caller passes what it found there.
pub fn to_settings(config: &Config, start_at_login: bool) -> Settings {
    let hc = &config.scrobbling.hardcover;
    Settings {
        interval: format_duration(hc.sync.interval),
        direction: hc.sync.direction,
        regression_guard: hc.sync.regression_guard,
        currently_reading_threshold: hc.sync.currently_reading_threshold,
        sync_ratings: hc.sync.sync_ratings,
        overwrite_ratings: hc.sync.overwrite_ratings,
        notifications: NotificationSettings {
            finished: config.notifications.finished,
            failures: config.notifications.failures,
            reconnect: config.notifications.reconnect,
        },
        start_at_login,
        token_store: token_store_dto(hc.token_store),
        sources: config.sources.iter().map(source_dto).collect(),
    }
}

pub fn token_store_dto(kind: TokenStoreKind) -> TokenStore {
    match kind {
        TokenStoreKind::Keyring => TokenStore::Keyring,
        TokenStoreKind::File => TokenStore::File,
    }
}

fn source_dto(s: &SourceConfig) -> SourceSettings {
    SourceSettings {
        kind: match s.kind {
            SourceKind::Audiobookshelf => SourceKindDto::Audiobookshelf,
            SourceKind::Komga => SourceKindDto::Komga,
            SourceKind::Kavita => SourceKindDto::Kavita,
            SourceKind::Kosync => SourceKindDto::Kosync,
            SourceKind::Revenge => SourceKindDto::Revenge,
        },
        name: s.name.clone(),
        url: s.url.to_string(),
        username: s.username.clone(),
        library: s.library.iter().map(|p| p.display().to_string()).collect(),
        has_secret: s.api_key.is_some() || s.password.is_some(),
        secret: None,
    }
}

/// Apply `settings` to the config file at `path` and return the config as now saved.
pub fn save(path: &Path, settings: &Settings) -> IpcResult<Config> {
    // Typed secrets go to the keyring (the command stores them after this save); nothing here
    // ever writes one into config.yaml. The file token store has no place for them.
    if settings.token_store == TokenStore::File
        && let Some(src) = settings.sources.iter().find(|s| s.secret.as_ref().is_some_and(|x| !x.is_empty()))
    {
        return Err(IpcError::invalid_input(format!(
            "with the token store set to file there is no keyring to keep the key of {:?}: put it in {} as api_key: ${{SOME_ENV_VAR}} (or password:), or switch the token store to keyring",
            src.name,
            path.display()
        )));
    }
    let original = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(IpcError::internal(format!("cannot read {}: {e}", path.display()))),
    };
    let mut root: Value = if original.trim().is_empty() {
        Value::Mapping(Mapping::new())
    } else {
        serde_yaml::from_str(&original).map_err(|e| {
            IpcError::invalid_input(format!("{} is not valid YAML ({e}); fix it by hand first", path.display()))
        })?
    };
    apply(&mut root, settings)?;
    let text = serde_yaml::to_string(&root).map_err(|e| IpcError::internal(e.to_string()))?;
    let config = Config::parse(&text, path, &|name| std::env::var(name).ok())
        .map_err(|e| IpcError::invalid_input(e.to_string()))?;
    write_atomically(path, &text)?;
    Ok(config)
}

fn apply(root: &mut Value, s: &Settings) -> IpcResult<()> {
    let interval = hardcover_sync::config::parse_duration(&s.interval)
        .map_err(|e| IpcError::invalid_input(format!("interval: {e}")))?;
    let hc = child(child(root, "scrobbling"), "hardcover");
    set(
        hc,
        "token_store",
        match s.token_store {
            TokenStore::Keyring => "keyring",
            TokenStore::File => "file",
        },
    );
    let sync = child(hc, "sync");
    set(sync, "interval", format_duration(interval));
    set(sync, "direction", serde_yaml::to_value(s.direction).map_err(|e| IpcError::internal(e.to_string()))?);
    set(sync, "regression_guard", s.regression_guard);
    set(sync, "currently_reading_threshold", s.currently_reading_threshold);
    set(sync, "sync_ratings", s.sync_ratings);
    set(sync, "overwrite_ratings", s.overwrite_ratings);
    let n = child(root, "notifications");
    set(n, "finished", s.notifications.finished);
    set(n, "failures", s.notifications.failures);
    set(n, "reconnect", s.notifications.reconnect);

    // Rebuild the list in the page's order, starting each entry from the old entry of the same
    // name so keys the page does not edit (api_key, password, enabled) are kept.
    let old: Vec<Value> = match root.get("sources") {
        Some(Value::Sequence(seq)) => seq.clone(),
        _ => Vec::new(),
    };
    let mut sources = Vec::with_capacity(s.sources.len());
    for src in &s.sources {
        let mut entry = old
            .iter()
            .find(|v| v.get("name").and_then(Value::as_str) == Some(src.name.as_str()))
            .cloned()
            .unwrap_or_else(|| Value::Mapping(Mapping::new()));
        set(&mut entry, "kind", serde_yaml::to_value(src.kind).map_err(|e| IpcError::internal(e.to_string()))?);
        set(&mut entry, "name", src.name.trim());
        set(&mut entry, "url", src.url.trim());
        match &src.username {
            Some(u) if !u.trim().is_empty() => set(&mut entry, "username", u.trim()),
            _ => remove(&mut entry, "username"),
        }
        if src.library.is_empty() {
            remove(&mut entry, "library");
        } else {
            set(&mut entry, "library", src.library.clone());
        }
        sources.push(entry);
    }
    set(root, "sources", sources);
    Ok(())
}

/// The mapping under `key`, created (or replacing a non-mapping) when needed.
fn child<'a>(v: &'a mut Value, key: &str) -> &'a mut Value {
    if !v.is_mapping() {
        *v = Value::Mapping(Mapping::new());
    }
    let map = v.as_mapping_mut().expect("just made a mapping");
    let k = Value::from(key);
    if !map.get(&k).is_some_and(Value::is_mapping) {
        map.insert(k.clone(), Value::Mapping(Mapping::new()));
    }
    map.get_mut(&k).expect("just inserted")
}

fn set(v: &mut Value, key: &str, value: impl Into<Value>) {
    if let Some(map) = v.as_mapping_mut() {
        map.insert(Value::from(key), value.into());
    }
}

fn remove(v: &mut Value, key: &str) {
    if let Some(map) = v.as_mapping_mut() {
        map.remove(Value::from(key));
    }
}

/// Replace the file in one step, so a crash mid-save cannot leave half a config. The file can
/// hold secrets, so it is created private.
fn write_atomically(path: &Path, text: &str) -> IpcResult<()> {
    let fail = |e: std::io::Error| IpcError::internal(format!("cannot write {}: {e}", path.display()));
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600)).map_err(fail)?;
    }
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// `1h30m`, `30m`, `90s` → the shortest form `parse_duration` reads back.
pub fn format_duration(d: Duration) -> String {
    let mut secs = d.as_secs();
    if secs == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hardcover_sync::config::Direction;

    fn load(path: &Path) -> Config {
        let env = |name: &str| (name == "KOMGA_KEY").then(|| "k-123".to_owned());
        Config::parse(&std::fs::read_to_string(path).unwrap(), path, &env).unwrap()
    }

    #[test]
    fn durations_round_trip() {
        for s in ["30m", "1h30m", "2d", "90s", "1h"] {
            let d = hardcover_sync::config::parse_duration(s).unwrap();
            assert_eq!(
                hardcover_sync::config::parse_duration(&format_duration(d)).unwrap(),
                d,
                "{s} must survive format → parse"
            );
        }
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
    }

    #[test]
    fn save_keeps_keys_the_page_does_not_edit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        std::fs::write(
            &path,
            "scrobbling:\n  hardcover:\n    client_id: abc\n    api_url: http://127.0.0.1:9/v1/graphql\n\
             sources:\n  - kind: komga\n    name: comics\n    url: http://komga.local\n    api_key: ${KOMGA_KEY}\n",
        )
        .unwrap();
        let mut s = to_settings(&load(&path), false);
        assert!(s.sources[0].has_secret, "an api_key in the file must show as a stored secret");
        s.interval = "1h".into();
        s.direction = Direction::ToHardcover;
        s.notifications.finished = false;
        s.sources[0].url = "http://komga.lan".into();
        let saved = save(&path, &s).unwrap();

        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("${KOMGA_KEY}"), "an ${{ENV}} reference must survive a save unexpanded:\n{text}");
        assert!(text.contains("client_id: abc"), "keys the page does not show must survive a save:\n{text}");
        assert_eq!(saved.scrobbling.hardcover.sync.interval, Duration::from_secs(3600));
        assert_eq!(saved.scrobbling.hardcover.sync.direction, Direction::ToHardcover);
        assert!(!saved.notifications.finished, "a muted notification kind must be saved as muted");
        assert_eq!(saved.sources[0].url.as_str(), "http://komga.lan/");
        assert_eq!(saved.scrobbling.hardcover.api_url.as_str(), "http://127.0.0.1:9/v1/graphql");
    }

    #[test]
    fn invalid_settings_are_refused_and_the_file_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        std::fs::write(&path, "scrobbling:\n  hardcover:\n    client_id: abc\n").unwrap();
        let before = std::fs::read_to_string(&path).unwrap();
        let mut s = to_settings(&load(&path), false);
        s.interval = "10s".into();
        let err = save(&path, &s).unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::InvalidInput);
        assert!(err.message.contains("at least 1m"), "the message must say what to fix: {}", err.message);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before, "a refused save must not touch the file");
    }

    #[test]
    fn a_new_secret_is_not_written_in_clear() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        let mut s = to_settings(&Config::default(), false);
        s.sources.push(SourceSettings {
            kind: SourceKindDto::Komga,
            name: "k".into(),
            url: "http://k".into(),
            username: None,
            library: vec![],
            has_secret: false,
            secret: Some("very-secret".into()),
        });
        save(&path, &s).expect("with the keyring store the settings save; the secret goes to the keyring");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("very-secret"), "a secret must never end up in config.yaml:\n{text}");
        assert!(text.contains("name: k"), "the source itself is saved:\n{text}");

        let other = dir.path().join("file-store.yaml");
        s.token_store = TokenStore::File;
        let err = save(&other, &s).unwrap_err();
        assert_eq!(err.code, crate::error::ErrorCode::InvalidInput, "{err:?}");
        assert!(err.message.contains("api_key"), "the message says where the key can go instead: {}", err.message);
        assert!(!other.exists(), "a refused save must not write the file");
    }
}
