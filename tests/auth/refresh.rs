//! Renewing tokens: before expiry, after a 401, one at a time, and giving up cleanly when the
//! chain is dead.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use hardcover_sync::auth::{Auth, BrowserOptions, MemoryStore, TokenStore};
use hardcover_sync::hardcover::{TokenError, TokenProvider};
use url::Url;

use super::support::{CLIENT_ID, Hardcover, ScriptedBrowser};

async fn connected(hc: &Hardcover, auth: &Auth) {
    let mut o = BrowserOptions::new(ScriptedBrowser::new().opener());
    o.show_url = Arc::new(|_: &Url| {});
    o.timeout = Some(Duration::from_secs(20));
    auth.connect_browser(o, &hc.probe()).await.expect("connect");
}

#[tokio::test]
async fn refreshes_shortly_before_expiry_and_saves_before_use() {
    let hc = Hardcover::start().await;
    let now = Arc::new(Mutex::new(Utc::now()));
    let clock_now = Arc::clone(&now);
    let store = Arc::new(MemoryStore::new());
    let auth = Auth::new(hc.settings(), store.clone())
        .with_clock(Arc::new(move || *clock_now.lock().unwrap()), chrono::Duration::minutes(5));
    connected(&hc, &auth).await;
    let first = store.get().unwrap().unwrap();
    let session = auth.session();

    assert_eq!(session.access_token().await.unwrap(), first.access_token, "a fresh token must be used as is");
    assert_eq!(hc.oauth.counters().refresh_requests, 0, "no refresh while the token is fresh");

    // One week minus a minute later: inside the 5-minute margin.
    {
        let mut t = now.lock().unwrap();
        *t = *t + chrono::Duration::days(7) - chrono::Duration::minutes(1);
    }
    let renewed = session.access_token().await.unwrap();
    assert_ne!(renewed, first.access_token, "a token about to expire must be renewed before use");
    assert_eq!(hc.oauth.counters().refresh_requests, 1, "exactly one refresh");
    let saved = store.get().unwrap().unwrap();
    assert_eq!(saved.access_token, renewed, "the renewed access token must be saved before it is handed out");
    assert_ne!(saved.refresh_token, first.refresh_token, "the rotated refresh token must be saved");
    assert!(
        hc.oauth.refresh_token_is_live(saved.refresh_token.as_ref().unwrap().expose()),
        "the saved refresh token is the live one"
    );
    assert!(saved.expires_at.unwrap() > *now.lock().unwrap(), "the new expiry must be saved");
    assert_eq!(hc.call_me(&*session).await.unwrap().user_id, super::support::USER_ID);
}

#[tokio::test]
async fn a_401_triggers_one_refresh_and_one_retry() {
    let hc = Hardcover::start().await;
    let (auth, store) = hc.auth();
    connected(&hc, &auth).await;
    let first = store.get().unwrap().unwrap();
    // Hardcover stops accepting the access token before its announced expiry.
    hc.registry.expire(first.access_token.expose());
    let session = auth.session();
    let account = hc.call_me(&*session).await.expect("a 401 must be fixed by one refresh and a retry");
    assert_eq!(account.user_id, super::support::USER_ID);
    assert_eq!(hc.oauth.counters().refresh_requests, 1, "a 401 must cause exactly one refresh");
    assert_ne!(store.get().unwrap().unwrap().access_token, first.access_token);
}

#[tokio::test]
async fn concurrent_requests_during_a_refresh_cause_exactly_one_refresh() {
    let hc = Arc::new(Hardcover::start().await);
    let (auth, store) = hc.auth();
    connected(&hc, &auth).await;
    let first = store.get().unwrap().unwrap();
    hc.registry.expire(first.access_token.expose());
    let session = auth.session();
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let (hc, session) = (Arc::clone(&hc), Arc::clone(&session));
        tasks.push(tokio::spawn(async move { hc.call_me(&*session).await }));
    }
    for t in tasks {
        t.await.unwrap().expect("every concurrent request must succeed after the shared refresh");
    }
    assert_eq!(
        hc.oauth.counters().refresh_requests,
        1,
        "refresh must be single-flight: a second refresh would reuse a rotated token and revoke the chain"
    );
}

#[tokio::test]
async fn refresh_token_reuse_puts_the_app_in_reconnect_needed() {
    let hc = Hardcover::start().await;
    let (auth, store) = hc.auth();
    connected(&hc, &auth).await;
    let stolen = store.get().unwrap().unwrap();
    let session = auth.session();
    // The app rotates once, legitimately.
    hc.registry.expire(stolen.access_token.expose());
    hc.call_me(&*session).await.unwrap();
    // A copy of the old refresh token is used elsewhere: Hardcover revokes the whole chain.
    let r = reqwest::Client::new()
        .post(hc.base().join("/oauth2/token").unwrap())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", stolen.refresh_token.as_ref().unwrap().expose()),
            ("client_id", CLIENT_ID),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "a reused refresh token must be refused");
    let current = store.get().unwrap().unwrap();
    assert!(hc.registry.check(current.access_token.expose()).is_none(), "reuse must revoke the chain's access token");

    let refreshes = hc.oauth.counters().refresh_requests;
    let err = hc.call_me(&*session).await.expect_err("a revoked chain cannot be used");
    assert!(
        err.contains("reconnect needed") && err.contains("connect again"),
        "the message must say to reconnect: {err}"
    );
    assert_eq!(hc.oauth.counters().refresh_requests, refreshes + 1, "the dead chain is tried once");
    assert!(session.reconnect_needed().is_some(), "the session must remember that a reconnect is needed");

    let again = session.access_token().await.expect_err("no retry after reconnect-needed");
    assert!(matches!(again, TokenError::ReconnectNeeded(_)), "{again}");
    assert_eq!(hc.oauth.counters().refresh_requests, refreshes + 1, "reconnect-needed must not retry the refresh");
    assert!(auth.connection().await.reconnect_needed.is_some(), "the status must show reconnect needed");
}

#[tokio::test]
async fn offline_refresh_is_not_a_reconnect() {
    let hc = Hardcover::start().await;
    let mut settings = hc.settings();
    settings.token_url = super::support::dead_url("/oauth2/token");
    let store = Arc::new(MemoryStore::new());
    let expired = hardcover_sync::auth::StoredTokens {
        kind: hardcover_sync::auth::TokenKind::OAuth,
        access_token: "hc_at_old".into(),
        refresh_token: Some("hc_rt_old".into()),
        expires_at: Some(DateTime::<Utc>::from(std::time::SystemTime::now()) - chrono::Duration::hours(1)),
        scopes: hardcover_sync::auth::SCOPES.iter().map(|s| s.to_string()).collect(),
    };
    store.save(&expired).unwrap();
    let auth = Auth::new(settings, store.clone());
    let err = auth.session().access_token().await.expect_err("no network, no refresh");
    assert!(!matches!(err, TokenError::ReconnectNeeded(_)), "being offline must not demand a reconnect: {err}");
    assert!(auth.session().reconnect_needed().is_none());
    assert_eq!(store.get().unwrap().unwrap(), expired, "an unanswered refresh must keep the saved tokens");
}

#[tokio::test]
async fn insufficient_scope_marks_reconnect_needed_without_refreshing() {
    let hc = Hardcover::start().await;
    let (auth, _store) = hc.auth();
    connected(&hc, &auth).await;
    let session = auth.session();
    // What the GraphQL client does when Hardcover answers `insufficient_scope`.
    session.mark_reconnect_needed("Hardcover needs more permissions: connect again");
    let err = session.access_token().await.expect_err("reconnect-needed must stop requests");
    assert!(matches!(err, TokenError::ReconnectNeeded(ref m) if m.contains("connect again")), "{err}");
    assert_eq!(hc.oauth.counters().refresh_requests, 0, "insufficient scope is not fixed by a refresh");
    // Connecting again clears it.
    connected(&hc, &auth).await;
    assert!(session.access_token().await.is_ok(), "a new connection must clear reconnect-needed");
}

/// Two `hardcover-sync` processes on one data folder whose sign-in is about to expire, started at
/// once: the file lock lets one refresh while the other waits, then adopts what it saved.
#[tokio::test]
async fn two_processes_refreshing_at_once_spend_the_refresh_token_once_and_stay_connected() {
    use hardcover_sync_emulators::demo::{self, DemoSpec};

    let servers = demo::start(&DemoSpec { books: 10, abs_items: 0, seed: 3, ..DemoSpec::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (config, data) = (dir.path().join("config.yaml"), dir.path().join("data"));
    servers.write_config(&config).unwrap();
    let run = |args: &'static [&'static str], browser: Option<std::path::PathBuf>| {
        let mut cmd = tokio::process::Command::new(crate::support::cli_binary());
        cmd.arg("--config").arg(&config).arg("--data-dir").arg(&data).args(args).env_remove("BROWSER");
        if let Some(b) = browser {
            cmd.env("BROWSER", b);
        }
        cmd.kill_on_drop(true);
        async move { cmd.output().await.expect("the hardcover-sync binary must run") }
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();

    // Signed in with an access token that is already inside the refresh margin.
    servers.oauth.set_knobs(|k| k.access_ttl = Duration::from_secs(90));
    let browser = dir.path().join("browser.sh");
    std::fs::write(&browser, "#!/bin/sh\nexec curl -s -L -o /dev/null \"$1\"\n").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = run(&["connect"], Some(browser)).await;
    assert!(out.status.success(), "connect must succeed: {}", text(&out.stderr));
    // Renewed tokens last a week; the answer is slow, so the second process surely reads the
    // store while the first one's refresh is in flight.
    servers.oauth.set_knobs(|k| {
        k.access_ttl = Duration::from_secs(7 * 24 * 3600);
        k.refresh_latency = Duration::from_millis(700);
    });
    let before = servers.oauth.counters().refresh_requests;

    let (a, b) = tokio::join!(run(&["shelves", "--json"], None), run(&["shelves", "--json"], None));
    for out in [&a, &b] {
        assert!(out.status.success(), "both processes must stay signed in: {}", text(&out.stderr));
    }
    assert_eq!(
        servers.oauth.counters().refresh_requests,
        before + 1,
        "one refresh must reach Hardcover: a second would reuse the rotated token and revoke the chain"
    );
    let saved = hardcover_sync::auth::FileStore::new(data.join("tokens.json")).get().unwrap().expect("still connected");
    assert!(
        servers.oauth.refresh_token_is_live(saved.refresh_token.as_ref().expect("an OAuth sign-in").expose()),
        "the saved refresh token must be the live one of the chain"
    );
    let out = run(&["shelves", "--json"], None).await;
    assert!(out.status.success(), "a later run must still be connected: {}", text(&out.stderr));
    assert_eq!(servers.oauth.counters().refresh_requests, before + 1, "the renewed token is used, not renewed again");
}

#[tokio::test]
async fn a_refresh_whose_answer_was_lost_is_explained_once_as_sign_in_again() {
    let hc = Hardcover::start().await;
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("token-refresh.lock");
    let store = Arc::new(MemoryStore::new());
    let auth = Auth::new(hc.settings(), store.clone()).with_refresh_lock(lock.clone());
    connected(&hc, &auth).await;
    let saved = store.get().unwrap().unwrap();
    // A refresh went out and rotated the chain, but the process died before saving the answer:
    // the marker it wrote first is still there, and the store holds the spent refresh token.
    let lost = reqwest::Client::new()
        .post(hc.base().join("/oauth2/token").unwrap())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", saved.refresh_token.as_ref().unwrap().expose()),
            ("client_id", CLIENT_ID),
        ])
        .send()
        .await
        .unwrap();
    assert!(lost.status().is_success(), "setup: the lost refresh was carried out");
    std::fs::write(lock.with_extension("in-flight"), "2026-12-05T10:00:00Z").unwrap();
    hc.registry.expire(saved.access_token.expose());

    let session = auth.session();
    let refreshes = hc.oauth.counters().refresh_requests;
    let err = hc.call_me(&*session).await.expect_err("the spent refresh token cannot renew the sign-in");
    assert!(
        err.contains("cut off before its answer was saved") && err.contains("connect again"),
        "the message must explain the lost renewal and say to sign in again: {err}"
    );
    assert_eq!(hc.oauth.counters().refresh_requests, refreshes + 1, "the spent token is tried once");
    let again = hc.call_me(&*session).await.expect_err("still signed out");
    assert!(again.contains("connect again"), "{again}");
    assert_eq!(hc.oauth.counters().refresh_requests, refreshes + 1, "and never again: no loop of failures");
    assert!(!lock.with_extension("in-flight").exists(), "the marker is cleared once explained");
}
