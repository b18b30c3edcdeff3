//! Disconnecting: revoke at Hardcover, then forget locally — even offline.

use std::sync::Arc;
use std::time::Duration;

use hardcover_sync::auth::{Auth, BrowserOptions, MemoryStore, TokenStore};
use hardcover_sync::hardcover::{TokenError, TokenProvider};
use hardcover_sync::store::Store;
use url::Url;

use super::support::{Hardcover, ScriptedBrowser, dead_url};

async fn connect(hc: &Hardcover, auth: &Auth) {
    let mut o = BrowserOptions::new(ScriptedBrowser::new().opener());
    o.show_url = Arc::new(|_: &Url| {});
    o.timeout = Some(Duration::from_secs(20));
    auth.connect_browser(o, &hc.probe()).await.expect("connect");
}

#[tokio::test]
async fn disconnect_revokes_then_deletes() {
    let hc = Hardcover::start().await;
    let store = Arc::new(MemoryStore::new());
    let db = Arc::new(Store::open_in_memory().unwrap());
    let auth = Auth::new(hc.settings(), store.clone()).with_meta(Arc::clone(&db));
    connect(&hc, &auth).await;
    let status = auth.connection().await;
    assert!(status.connected);
    assert_eq!(status.username.as_deref(), Some("reader4242"), "the username must be cached for the status line");
    assert!(status.expires_at.is_some());
    let tokens = store.get().unwrap().unwrap();

    let out = auth.disconnect().await.expect("disconnect");
    assert!(out.revoked, "an online disconnect must revoke at Hardcover: {out:?}");
    assert_eq!(hc.oauth.counters().revocations, 2, "both the refresh and the access token are revoked");
    assert!(hc.registry.check(tokens.access_token.expose()).is_none(), "the access token must be dead at Hardcover");
    assert!(
        !hc.oauth.refresh_token_is_live(tokens.refresh_token.as_ref().unwrap().expose()),
        "the refresh token must be dead"
    );
    assert!(store.get().unwrap().is_none(), "tokens must be deleted locally");
    assert!(db.meta_get("hardcover.username").unwrap().is_none(), "the cached account must be forgotten");
    assert!(!auth.connection().await.connected);
    assert!(matches!(auth.session().access_token().await, Err(TokenError::NotConnected)));
}

#[tokio::test]
async fn offline_disconnect_still_deletes_locally_and_says_so() {
    let hc = Hardcover::start().await;
    let store = Arc::new(MemoryStore::new());
    let auth = Auth::new(hc.settings(), store.clone());
    connect(&hc, &auth).await;
    let tokens = store.get().unwrap().unwrap();

    let mut offline = hc.settings();
    offline.revoke_url = dead_url("/oauth2/revoke");
    let auth = Auth::new(offline, store.clone());
    let out = auth.disconnect().await.expect("an offline disconnect must still succeed locally");
    assert!(!out.revoked, "nothing was revoked");
    let note = out.note.expect("the user must be told the revocation was not sent");
    assert!(note.contains("could not tell Hardcover") && note.contains("deleted"), "{note}");
    assert!(store.get().unwrap().is_none(), "tokens must be deleted even when Hardcover is unreachable");
    assert!(hc.registry.check(tokens.access_token.expose()).is_some(), "(sanity) Hardcover never heard of it");
}
