//! The Settings panel over the YAML file: keeps what it does not own, refuses bad values by key,
//! never writes a secret; and "Test" on a source.

use std::cell::RefCell;
use std::path::Path;

use hardcover_sync::auth::SecretPlace;
use hardcover_sync::config::{Config, Direction, SourceKind, TokenStoreKind};
use hardcover_sync::secret::Secret;
use hardcover_sync::shelf::settings::{SecretStore, SourceSettings, SystemSecrets, load_with, save_with};
use hardcover_sync::shelf::{self, ShelfError};
use hardcover_sync_emulators::audiobookshelf::AbsEmulator;

use super::connected_app;
use crate::support::hardcover;

/// Remembers what was stored instead of touching the OS keyring (CI has none).
#[derive(Default)]
struct FakeKeyring(RefCell<Vec<(String, String)>>);

impl SecretStore for FakeKeyring {
    fn has(&self, _kind: TokenStoreKind, source: &str) -> bool {
        self.0.borrow().iter().any(|(n, _)| n == source)
    }
    fn set(&self, _kind: TokenStoreKind, source: &str, secret: &Secret) -> Result<SecretPlace, ShelfError> {
        self.0.borrow_mut().push((source.to_owned(), secret.expose().to_owned()));
        Ok(SecretPlace::Keyring)
    }
}

const ORIGINAL: &str = "scrobbling:
  hardcover:
    client_id: ${HC_TEST_CLIENT_ID}
    api_url: http://127.0.0.1:9/v1/graphql
    oauth:
      authorize_url: http://127.0.0.1:9/oauth2/authorize
    token_store: keyring
    sync:
      interval: 30m
sources:
  - kind: audiobookshelf
    name: abs
    url: http://abs.local
    api_key: ${ABS_TEST_KEY}
";

fn env(name: &str) -> Option<String> {
    (name == "ABS_TEST_KEY").then(|| "from-env".to_owned())
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, ORIGINAL).unwrap();
    (dir, path)
}

fn yaml(path: &Path) -> yaml_serde::Value {
    yaml_serde::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn save_changes_owned_keys_and_keeps_the_rest() {
    let (_dir, path) = setup();
    let keyring = FakeKeyring::default();
    let mut s = load_with(&path, &keyring, &env).unwrap();
    assert_eq!(s.interval, "30m");
    assert!(s.sources[0].has_secret, "a source with an api_key reference has a secret");
    s.interval = "45m".into();
    s.direction = Direction::ToHardcover;
    s.notifications.finished = false;
    s.sources.push(SourceSettings {
        kind: SourceKind::Komga,
        name: "komga".into(),
        url: "http://komga.local:25600".into(),
        username: None,
        library: vec![],
        path: None,
        enabled: false,
        has_secret: false,
        secret: None,
    });
    let saved = save_with(&path, &s, &keyring, &env).unwrap();
    assert_eq!(saved.interval, "45m");

    let text = std::fs::read_to_string(&path).unwrap();
    let v = yaml(&path);
    let hc = &v["scrobbling"]["hardcover"];
    assert_eq!(hc["api_url"].as_str(), Some("http://127.0.0.1:9/v1/graphql"), "api_url must survive a save");
    assert_eq!(
        hc["oauth"]["authorize_url"].as_str(),
        Some("http://127.0.0.1:9/oauth2/authorize"),
        "oauth must survive a save"
    );
    assert!(
        text.contains("client_id: ${HC_TEST_CLIENT_ID}\n"),
        "an ${{ENV}} reference must stay an unquoted reference:\n{text}"
    );
    assert!(text.contains("api_key: ${ABS_TEST_KEY}\n"), "a source's api_key reference must survive a save:\n{text}");
    assert!(!text.contains("from-env"), "expanded values must never be written back:\n{text}");

    let c = Config::parse(&text, &path, &env).expect("the saved file must be a valid config");
    assert_eq!(c.scrobbling.hardcover.sync.interval.as_secs(), 45 * 60, "the new interval must be saved");
    assert_eq!(c.scrobbling.hardcover.sync.direction, Direction::ToHardcover);
    assert!(!c.notifications.finished, "notification switches must be saved");
    assert_eq!(c.scrobbling.hardcover.client_id, None, "an unset ${{ENV}} reference must still mean 'not set'");
    assert_eq!(c.sources.len(), 2);
    assert!(!c.sources[1].enabled, "a new source must be saved as given");
    let again = load_with(&path, &keyring, &env).unwrap();
    assert_eq!(again.interval, "45m", "load must read back what save wrote");
}

/// A change to make to valid settings.
type Edit = Box<dyn Fn(&mut hardcover_sync::shelf::Settings)>;

#[test]
fn invalid_values_are_refused_by_key_and_the_file_is_untouched() {
    let (_dir, path) = setup();
    let keyring = FakeKeyring::default();
    let good = load_with(&path, &keyring, &env).unwrap();
    let cases: Vec<(&str, Edit)> = vec![
        ("interval", Box::new(|s| s.interval = "10s".into())),
        ("interval", Box::new(|s| s.interval = "soon".into())),
        ("currently_reading_threshold", Box::new(|s| s.currently_reading_threshold = 1.5)),
        ("url", Box::new(|s| s.sources[0].url = "not a url".into())),
    ];
    for (key, change) in cases {
        let mut s = good.clone();
        change(&mut s);
        let err = save_with(&path, &s, &keyring, &env).unwrap_err();
        assert_eq!(
            err.code(),
            hardcover_sync::error::ErrorCode::InvalidInput,
            "a bad {key} must be invalid input: {err}"
        );
        assert!(err.to_string().contains(key), "the error must name the key {key}: {err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), ORIGINAL, "a refused save must leave the file as it was");
    }
}

#[test]
fn secrets_go_to_the_keyring_never_into_the_file() {
    let (_dir, path) = setup();
    let keyring = FakeKeyring::default();
    let mut s = load_with(&path, &keyring, &env).unwrap();
    s.sources[0].secret = Some(Secret::new("typed-s3cret-value"));
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains("typed-s3cret"), "settings sent to the window must never carry a secret: {json}");

    let saved = save_with(&path, &s, &keyring, &env).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("typed-s3cret"), "a typed secret must never be written to the config file");
    assert!(
        !text.contains("api_key"),
        "a typed secret replaces the file's api_key, which would shadow the keyring:\n{text}"
    );
    assert_eq!(
        *keyring.0.borrow(),
        vec![("abs".to_owned(), "typed-s3cret-value".to_owned())],
        "the secret must go to the keyring"
    );
    assert!(saved.sources[0].has_secret, "the saved source must show that it has a secret");

    assert_eq!(saved.secrets_file, None, "a secret in the keyring names no file");
}

#[cfg(unix)]
#[test]
fn without_a_keyring_a_typed_secret_goes_to_the_private_file_and_is_used() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, path) = setup();
    let secrets = SystemSecrets { file: dir.path().join("data").join("source-secrets.json") };
    let mut s = load_with(&path, &secrets, &env).unwrap();
    s.token_store = TokenStoreKind::File;
    s.sources.push(SourceSettings {
        kind: SourceKind::Komga,
        name: "komga".into(),
        url: "http://komga.local:25600".into(),
        path: None,
        username: Some("reader".into()),
        library: vec![],
        enabled: true,
        has_secret: false,
        secret: Some(Secret::new("typed-s3cret-value")),
    });
    let saved =
        save_with(&path, &s, &secrets, &env).expect("a typed secret without a keyring must be kept, not refused");
    assert_eq!(saved.secrets_file.as_deref(), Some(secrets.file.as_path()), "the save must say which file holds it");
    assert!(saved.sources[1].has_secret, "the saved source must show that it has its secret");
    let mode = std::fs::metadata(&secrets.file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the secrets file must be readable by the user only");
    assert!(
        !std::fs::read_to_string(&path).unwrap().contains("typed-s3cret"),
        "the secret must never be written into the config file"
    );
    let found = hardcover_sync::auth::source_secret(TokenStoreKind::File, &secrets.file, "komga").unwrap();
    assert_eq!(found.map(|s| s.expose().to_owned()).as_deref(), Some("typed-s3cret-value"), "the sync finds it again");
}

#[cfg(unix)]
#[test]
fn a_config_file_made_by_a_save_is_private_and_an_old_one_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("new.yaml");
    let s = load_with(&fresh, &FakeKeyring::default(), &env).unwrap();
    save_with(&fresh, &s, &FakeKeyring::default(), &env).unwrap();
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a config file the panel creates must be readable by the user only: {mode:o}");

    let (_dir, old) = setup();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o640)).unwrap();
    let s = load_with(&old, &FakeKeyring::default(), &env).unwrap();
    save_with(&old, &s, &FakeKeyring::default(), &env).unwrap();
    let mode = std::fs::metadata(&old).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "saving over the user's file must keep the mode they gave it: {mode:o}");
}

#[tokio::test]
async fn test_source_lists_once_and_reports_failures_as_answers() {
    let hc = hardcover(10).await;
    let (_sb, app) = connected_app(&hc).await;
    let abs = AbsEmulator::builder().with_samples().api_key("right-key").start().await.unwrap();
    let source = SourceSettings {
        kind: SourceKind::Audiobookshelf,
        name: "abs".into(),
        url: abs.base_url(),
        username: None,
        library: vec![],
        path: None,
        enabled: true,
        has_secret: false,
        secret: None,
    }
    .to_config()
    .unwrap();
    let ok = shelf::test_source(&app, &source, Some(Secret::new("right-key"))).await;
    assert!(ok.ok, "the right key must test fine: {}", ok.message);
    assert_eq!(ok.items, 2, "the test must count the items the source lists");
    let bad = shelf::test_source(&app, &source, Some(Secret::new("wrong-key"))).await;
    assert!(!bad.ok, "a wrong key must fail the test");
    assert!(bad.message.contains("credentials"), "the failure must say what to fix: {}", bad.message);
    assert!(!bad.message.contains("wrong-key"), "the message must not echo the secret: {}", bad.message);
}

#[test]
fn a_source_moved_to_another_address_needs_its_secret_again() {
    let (_dir, path) = setup();
    let keyring = FakeKeyring::default();
    let mut s = load_with(&path, &keyring, &env).unwrap();
    s.sources[0].url = "http://elsewhere.example:13378".into();
    let err = save_with(&path, &s, &keyring, &env).unwrap_err();
    assert!(matches!(err, ShelfError::InvalidInput(_)), "{err}");
    assert!(
        err.to_string().contains("address changed") && err.to_string().contains("again"),
        "the message must say to enter the secret again for the new address: {err}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), ORIGINAL, "a refused save leaves the file as it was");

    s.sources[0].secret = Some(Secret::new("typed-for-the-new-server"));
    save_with(&path, &s, &keyring, &env).expect("with the secret typed again the move is saved");
    s.sources[0].secret = None;
    s.sources[0].url = "http://elsewhere.example:13378/".into();
    save_with(&path, &s, &keyring, &env).expect("the same server (same origin) keeps its secret");
}

#[tokio::test]
async fn test_source_never_sends_a_saved_secret_to_another_host() {
    let hc = hardcover(10).await;
    let saved = AbsEmulator::builder().with_samples().api_key("saved-key").start().await.unwrap();
    let other = AbsEmulator::builder().with_samples().api_key("saved-key").start().await.unwrap();
    let sb = crate::support::Sandbox::new(
        &hc,
        &format!(
            "sources:\n  - kind: audiobookshelf\n    name: abs\n    url: {}\n    api_key: saved-key\n",
            saved.base_url()
        ),
    );
    let app = super::open_app(&sb);
    let source = |url: String| {
        SourceSettings {
            kind: SourceKind::Audiobookshelf,
            name: "abs".into(),
            url,
            username: None,
            library: vec![],
            path: None,
            enabled: true,
            has_secret: true,
            secret: None,
        }
        .to_config()
        .unwrap()
    };
    let ok = shelf::test_source(&app, &source(saved.base_url()), None).await;
    assert!(ok.ok, "the saved server gets the saved key: {}", ok.message);

    let moved = shelf::test_source(&app, &source(other.base_url()), None).await;
    assert!(!moved.ok, "a saved key must not be sent to another address");
    assert!(moved.message.contains("address changed"), "the answer says why: {}", moved.message);
    assert!(other.requests().is_empty(), "the other host must not have been contacted: {:?}", other.requests());
    let typed = shelf::test_source(&app, &source(other.base_url()), Some(Secret::new("saved-key"))).await;
    assert!(typed.ok, "with the key typed again the new address is tested: {}", typed.message);
}
