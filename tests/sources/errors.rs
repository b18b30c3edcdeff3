//! Every way a reading server can be wrong, one test per message: each says what to fix, names the
//! source, and reads the same in the CLI (`progress --json`) and in the window's Test connection.

use hardcover_sync::config::{Config, SourceKind};
use hardcover_sync::secret::Secret;
use hardcover_sync::shelf::{self, SourceSettings};
use hardcover_sync_emulators::audiobookshelf::AbsEmulator;
use hardcover_sync_emulators::komga::KomgaEmulator;
use hardcover_sync_emulators::kosync::KosyncEmulator;
use hardcover_sync_emulators::seed::SeedBook;
use serde_json::Value;

use super::dead_url;
use crate::support::{Sandbox, hardcover};

fn settings(kind: SourceKind, url: &str) -> SourceSettings {
    SourceSettings {
        kind,
        name: "server".into(),
        url: url.into(),
        username: None,
        library: vec![],
        path: None,
        enabled: true,
        has_secret: false,
        secret: None,
    }
}

fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Audiobookshelf => "audiobookshelf",
        SourceKind::Komga => "komga",
        SourceKind::Kavita => "kavita",
        SourceKind::Kosync => "kosync",
        SourceKind::Revenge => "revenge",
        SourceKind::Kobo => "kobo",
        SourceKind::Koreader => "koreader",
    }
}

/// The message the CLI prints for a failing source, after checking the window's Test connection
/// says exactly the same.
async fn message(kind: SourceKind, url: &str, key: &str) -> String {
    let hc = hardcover(1).await;
    let yaml = format!("sources:\n  - {{kind: {}, name: server, url: '{url}', api_key: '{key}'}}\n", kind_name(kind));
    let sb = Sandbox::new(&hc, &yaml);
    let (ok, out, err) = sb.cli(&["progress", "--json"]).await;
    assert!(!ok, "a failing source fails `progress`: {out} {err}");
    let v: Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("progress --json prints JSON ({e}): {out} {err}"));
    let cli = v["errors"][0]["message"].as_str().expect("the failing source is listed in errors").to_owned();

    let config = Config::load(&sb.config).expect("the sandbox config parses");
    let app =
        hardcover_sync::app::App::open(hardcover_sync::paths::AppPaths::under(sb.config.clone(), &sb.data), config)
            .expect("the app opens");
    let source = settings(kind, url).to_config().expect("the url is a valid address");
    let window = shelf::test_source(&app, &source, Some(Secret::new(key))).await;
    assert!(!window.ok, "the window's test fails too");
    assert_eq!(window.message, cli, "the window's Test connection and the CLI say the same thing");
    assert!(cli.starts_with("server: "), "the message names the source: {cli}");
    assert!(!cli.contains(key), "the message never echoes the key: {cli}");
    cli
}

#[tokio::test]
async fn a_url_without_a_scheme_says_add_http() {
    let hc = hardcover(1).await;
    let sb = Sandbox::new(&hc, "sources:\n  - {kind: komga, name: server, url: 'nas.local:25600', api_key: k}\n");
    let (ok, _, err) = sb.cli(&["progress"]).await;
    assert!(!ok && err.contains("add http:// or https://"), "the CLI says how to fix the url: {err}");
    let window = settings(SourceKind::Komga, "nas.local:25600").to_config().unwrap_err().to_string();
    assert!(window.contains("add http:// or https://"), "the window says the same: {window}");
}

#[tokio::test]
async fn an_unknown_host_is_named() {
    let m = message(SourceKind::Komga, "http://no-such-server.invalid:25600", "komga-key").await;
    assert!(m.contains("host name no-such-server.invalid is not known"), "{m}");
}

#[tokio::test]
async fn a_refused_port_says_nothing_answers_there() {
    let url = dead_url();
    let m = message(SourceKind::Audiobookshelf, &url, "abs-key").await;
    assert!(m.contains("nothing answers on port") && m.contains("connection refused"), "{m}");
}

#[tokio::test]
async fn https_to_a_plain_http_server_is_a_tls_failure() {
    let abs = AbsEmulator::builder().api_key("abs-key").with_samples().start().await.unwrap();
    let url = abs.base_url().replace("http://", "https://");
    let m = message(SourceKind::Audiobookshelf, &url, "abs-key").await;
    assert!(m.contains("secure (https) connection") && m.contains("use http://"), "{m}");
}

#[tokio::test]
async fn a_server_that_is_not_audiobookshelf_says_so() {
    // A KOReader sync server answers /api/me with its 404 page.
    let other = KosyncEmulator::builder().start().await.unwrap();
    let m = message(SourceKind::Audiobookshelf, &other.base_url(), "abs-key").await;
    assert!(m.contains("is not an Audiobookshelf server (it has no /api/me)"), "{m}");
}

#[tokio::test]
async fn a_wrong_api_key_says_check_the_api_key() {
    let komga = KomgaEmulator::builder().api_key("right-key").books(SeedBook::many(1)).start().await.unwrap();
    let m = message(SourceKind::Komga, &komga.base_url(), "wrong-key").await;
    assert!(m.contains("rejected the credentials") && m.contains("api key"), "{m}");
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed_with_the_key() {
    let komga = KomgaEmulator::builder().api_key("komga-key").books(SeedBook::many(1)).start().await.unwrap();
    // 127.0.0.1 sends everything to `localhost`: another host name, so another server.
    let target = komga.base_url().replace("127.0.0.1", "localhost");
    let redirector = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let to = format!("{target}{uri}");
        async move { axum::response::Redirect::temporary(&to) }
    });
    let server = hardcover_sync_emulators::RunningServer::serve(redirector, 0).await.unwrap();
    let m = message(SourceKind::Komga, &server.base_url(), "komga-key").await;
    assert!(m.contains("redirects to") && m.contains("localhost") && m.contains("not followed"), "{m}");
    assert!(komga.exchanges().is_empty(), "the API key never reached the other host");
}
