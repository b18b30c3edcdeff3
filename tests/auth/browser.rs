//! Authorization code + PKCE through a scripted browser and the real loopback listener.

use std::sync::Arc;
use std::time::Duration;

use hardcover_sync::auth::{AuthError, BrowserOptions, TokenKind, TokenStore};
use hardcover_sync::hardcover::TokenProvider;
use url::Url;

use super::support::{Hardcover, ScriptedBrowser, USER_ID, param, replace_param};

fn quiet(opener: hardcover_sync::auth::Opener) -> BrowserOptions {
    let mut o = BrowserOptions::new(opener);
    o.show_url = Arc::new(|_: &Url| {});
    o.timeout = Some(Duration::from_secs(20));
    o
}

#[tokio::test]
async fn full_browser_flow_connects_and_saves_tokens() {
    let hc = Hardcover::start().await;
    let (auth, store) = hc.auth();
    let browser = ScriptedBrowser::new();
    let account =
        auth.connect_browser(quiet(browser.opener()), &hc.probe()).await.expect("the browser flow must connect");
    assert_eq!(account.user_id, USER_ID, "the connected account must be the one that approved");

    let visit = browser.visit();
    let authorize = visit.authorize_url.unwrap();
    assert_eq!(param(&authorize, "code_challenge_method").as_deref(), Some("S256"), "PKCE must be S256");
    assert_eq!(
        param(&authorize, "scope").as_deref(),
        Some("read:me:content read:catalog read:library write:library write:lists"),
        "the app must ask for every scope it needs"
    );
    let redirect = Url::parse(&param(&authorize, "redirect_uri").unwrap()).unwrap();
    assert_eq!((redirect.host_str(), redirect.path()), (Some("127.0.0.1"), "/callback"), "RFC 8252 loopback redirect");
    assert!(param(&authorize, "state").is_some_and(|s| s.len() >= 16), "state must be random and long");
    assert_eq!(visit.page_status, Some(200));
    assert!(visit.page.unwrap().contains("Connected — you can close this tab"), "the browser must be told it worked");

    let saved = store.get().unwrap().expect("tokens must be saved after connecting");
    assert_eq!(saved.kind, TokenKind::OAuth);
    assert!(saved.access_token.expose().starts_with("hc_at_") && saved.refresh_token.is_some());
    assert!(saved.expires_at.is_some(), "the expiry must be saved with the tokens");
    assert!(hc.registry.check(saved.access_token.expose()).is_some(), "the saved access token must be live");
    let token = auth.session().access_token().await.unwrap();
    assert_eq!(token, saved.access_token, "the session must hand out the saved token");
    assert!(
        tokio::net::TcpStream::connect(redirect.socket_addrs(|| None).unwrap()[0]).await.is_err(),
        "the loopback listener must be closed after the callback"
    );
}

#[tokio::test]
async fn a_wrong_state_is_turned_away_without_ending_the_sign_in() {
    let hc = Hardcover::start().await;
    let (auth, store) = hc.auth();
    let forged_page: Arc<std::sync::Mutex<Option<(u16, String)>>> = Arc::default();
    let seen = Arc::clone(&forged_page);
    // A stale tab (or a page probing the port) answers first with a forged state; then the real
    // browser tab comes back.
    let opener: hardcover_sync::auth::Opener = Arc::new(move |url: &Url| {
        let (url, seen) = (url.clone(), Arc::clone(&seen));
        tokio::spawn(async move {
            let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
            let r = http.get(url).send().await.unwrap();
            let real = Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
            let forged = http.get(replace_param(real.clone(), "state", "forged")).send().await.unwrap();
            let status = forged.status().as_u16();
            *seen.lock().unwrap() = Some((status, forged.text().await.unwrap_or_default()));
            let _ = http.get(real).send().await;
        });
        Ok(())
    });
    let account = auth.connect_browser(quiet(opener), &hc.probe()).await.expect("the real callback must still connect");
    assert_eq!(account.user_id, USER_ID);
    let (status, page) = forged_page.lock().unwrap().clone().expect("the forged callback was answered");
    assert_eq!(status, 400, "the forged callback gets an error page");
    assert!(page.contains("could not connect"), "the page says it was refused: {page}");
    assert_eq!(hc.oauth.counters().code_exchanges, 1, "only the real callback's code is exchanged");
    assert!(store.get().unwrap().is_some(), "the sign-in completed");
}

#[tokio::test]
async fn a_flood_of_connections_does_not_keep_the_callback_out() {
    let hc = Hardcover::start().await;
    let (auth, _store) = hc.auth();
    let held: Arc<std::sync::Mutex<Vec<tokio::net::TcpStream>>> = Arc::default();
    let keep = Arc::clone(&held);
    let opener: hardcover_sync::auth::Opener = Arc::new(move |url: &Url| {
        let (url, keep) = (url.clone(), Arc::clone(&keep));
        tokio::spawn(async move {
            let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
            let r = http.get(url).send().await.unwrap();
            let real = Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
            let addr = real.socket_addrs(|| None).unwrap()[0];
            // Idle connections that never send a request.
            for _ in 0..16 {
                if let Ok(s) = tokio::net::TcpStream::connect(addr).await {
                    keep.lock().unwrap().push(s);
                }
            }
            let _ = http.get(real).send().await;
        });
        Ok(())
    });
    let started = std::time::Instant::now();
    let result = auth.connect_browser(quiet(opener), &hc.probe()).await;
    assert!(result.is_ok(), "the real callback must get through a flood of idle connections: {result:?}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "idle connections beyond the few read at once are closed, not waited on ({:?})",
        started.elapsed()
    );
}

#[tokio::test]
async fn iss_is_required_only_when_the_server_says_it_sends_it() {
    // A server without RFC 9207: no `iss`, and its metadata does not promise one.
    let hc = Hardcover::start().await;
    hc.oauth.set_knobs(|k| {
        k.omit_iss = true;
        k.advertise_iss = false;
    });
    let (auth, _) = hc.auth();
    let browser = ScriptedBrowser::new();
    auth.connect_browser(quiet(browser.opener()), &hc.probe()).await.expect("no iss is fine when none is promised");

    // The same server promising `iss` and not sending it: refused.
    hc.oauth.set_knobs(|k| k.advertise_iss = true);
    let (auth, store) = hc.auth();
    let browser = ScriptedBrowser::new();
    let err = auth.connect_browser(quiet(browser.opener()), &hc.probe()).await.expect_err("a promised iss must come");
    assert!(matches!(&err, AuthError::IssuerMismatch { got: None, .. }), "{err}");
    assert!(store.get().unwrap().is_none(), "nothing is saved");
}

#[tokio::test]
async fn wrong_issuer_is_refused() {
    let hc = Hardcover::start().await;
    hc.oauth.set_knobs(|k| k.wrong_iss = true);
    let (auth, store) = hc.auth();
    let browser = ScriptedBrowser::new();
    let err = auth.connect_browser(quiet(browser.opener()), &hc.probe()).await.expect_err("a wrong iss must fail");
    assert!(matches!(&err, AuthError::IssuerMismatch { got: Some(g), .. } if g == "https://evil.example"), "{err}");
    assert!(err.to_string().contains("came from issuer https://evil.example"), "{err}");
    assert_eq!(hc.oauth.counters().code_exchanges, 0, "a code from the wrong issuer must not be sent anywhere");
    assert!(store.get().unwrap().is_none());
}

#[tokio::test]
async fn pkce_verifier_mismatch_fails_the_exchange() {
    let hc = Hardcover::start().await;
    let (auth, store) = hc.auth();
    let browser = ScriptedBrowser::new();
    // An attacker who swapped the challenge in the authorize URL: the app's verifier no longer fits.
    let other = "Ug4sDhlxcJc6xw4Fr_ZdbK5B8jY8IEdmaqV7kWk7iZ8"; // S256 of some other verifier
    let opener = browser.opener_with(Arc::new(move |u| replace_param(u, "code_challenge", other)), Arc::new(|u| u));
    let err = auth.connect_browser(quiet(opener), &hc.probe()).await.expect_err("a PKCE mismatch must fail");
    assert!(matches!(&err, AuthError::CodeExchange(m) if m.contains("invalid_grant")), "{err}");
    assert_eq!(hc.oauth.counters().code_exchanges, 1, "the exchange is attempted once and refused");
    assert!(store.get().unwrap().is_none(), "nothing may be saved when the exchange fails");
    browser.done.notified().await;
    assert!(browser.visit().page.unwrap().contains("invalid_grant"), "the browser page must say what went wrong");
}

#[tokio::test]
async fn replayed_code_is_refused_and_revokes_what_it_issued() {
    let hc = Hardcover::start().await;
    let (auth, store) = hc.auth();
    let browser = ScriptedBrowser::new();
    auth.connect_browser(quiet(browser.opener()), &hc.probe()).await.unwrap();
    let saved = store.get().unwrap().unwrap();
    let callback = browser.visit().callback_url.unwrap();

    // Replaying the callback to the app finds no listener: it was one-shot.
    assert!(reqwest::get(callback.clone()).await.is_err(), "the callback listener must not accept a second request");
    // An attacker who captured the code redeems it at the token endpoint.
    let code = param(&callback, "code").unwrap();
    let r = reqwest::Client::new()
        .post(hc.base().join("/oauth2/token").unwrap())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("client_id", super::support::CLIENT_ID),
            ("redirect_uri", param(&browser.visit().authorize_url.unwrap(), "redirect_uri").unwrap().as_str()),
            ("code_verifier", "guessed"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "a code must be usable once");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        hc.registry.check(saved.access_token.expose()).is_none(),
        "a replayed code must revoke the tokens issued for it (RFC 6749 §4.1.2)"
    );
}

#[tokio::test]
async fn expired_code_fails_with_a_clear_message() {
    let hc = Hardcover::start().await;
    hc.oauth.set_knobs(|k| k.code_ttl = Duration::ZERO);
    let (auth, store) = hc.auth();
    let browser = ScriptedBrowser::new();
    let err = auth.connect_browser(quiet(browser.opener()), &hc.probe()).await.expect_err("an expired code must fail");
    assert!(matches!(&err, AuthError::CodeExchange(_)), "{err}");
    assert!(err.to_string().contains("Connect again"), "the message must say what to do: {err}");
    assert!(store.get().unwrap().is_none());
}

#[tokio::test]
async fn user_denies_access() {
    let hc = Hardcover::start().await;
    hc.oauth.set_knobs(|k| k.deny = true);
    let (auth, store) = hc.auth();
    let browser = ScriptedBrowser::new();
    let err = auth.connect_browser(quiet(browser.opener()), &hc.probe()).await.expect_err("a refusal must fail");
    assert!(matches!(err, AuthError::Denied), "{err}");
    assert_eq!(hc.oauth.counters().token_requests, 0);
    assert!(store.get().unwrap().is_none());
    browser.done.notified().await;
    assert!(browser.visit().page.unwrap().contains("declined"), "the browser page must say access was declined");
}

#[tokio::test]
async fn listener_times_out_and_closes() {
    let hc = Hardcover::start().await;
    let (auth, _store) = hc.auth();
    let seen = Arc::new(std::sync::Mutex::new(None::<Url>));
    let seen2 = Arc::clone(&seen);
    // A browser that never comes back.
    let mut opts = quiet(Arc::new(move |u: &Url| {
        *seen2.lock().unwrap() = Some(u.clone());
        Ok(())
    }));
    opts.timeout = Some(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let err = auth.connect_browser(opts, &hc.probe()).await.expect_err("no callback must time out");
    assert!(matches!(err, AuthError::Timeout(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5), "the configured timeout must apply");
    let url = seen.lock().unwrap().clone().unwrap();
    let redirect = Url::parse(&param(&url, "redirect_uri").unwrap()).unwrap();
    assert!(reqwest::get(redirect).await.is_err(), "the listener must be closed after a timeout");
}

#[tokio::test]
async fn connecting_can_be_cancelled() {
    let hc = Hardcover::start().await;
    let (auth, _store) = hc.auth();
    let cancel = tokio_util::sync::CancellationToken::new();
    let c2 = cancel.clone();
    let opts = BrowserOptions {
        cancel,
        ..quiet(Arc::new(move |_: &Url| {
            c2.cancel();
            Ok(())
        }))
    };
    let err = auth.connect_browser(opts, &hc.probe()).await.expect_err("cancel must stop the flow");
    assert!(matches!(err, AuthError::Cancelled), "{err}");
}

#[tokio::test]
async fn missing_client_id_names_the_setting() {
    let hc = Hardcover::start().await;
    let mut settings = hc.settings();
    settings.client_id = None;
    let auth = hardcover_sync::auth::Auth::new(settings, Arc::new(hardcover_sync::auth::MemoryStore::new()));
    let err = auth.connect_browser(quiet(ScriptedBrowser::new().opener()), &hc.probe()).await.unwrap_err();
    assert!(err.to_string().contains("scrobbling.hardcover.client_id"), "{err}");
}

#[tokio::test]
async fn browser_command_gets_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("opened");
    let script = dir.path().join("fake-browser");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf %s \"$1\" > '{}.tmp' && mv '{}.tmp' '{}'\n",
            out.display(),
            out.display(),
            out.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let url = Url::parse("http://127.0.0.1:1/oauth2/authorize?state=x").unwrap();
    hardcover_sync::auth::command_opener(script.display().to_string())(&url).expect("the $BROWSER command must start");
    for _ in 0..200 {
        if let Ok(seen) = std::fs::read_to_string(&out) {
            assert_eq!(seen, url.as_str(), "the $BROWSER command must get the authorize URL as its argument");
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the $BROWSER command never ran");
}

#[tokio::test]
async fn configured_redirect_uri_is_used_and_must_be_loopback() {
    let hc = Hardcover::start().await;
    let free = super::support::dead_url("/callback");
    let mut settings = hc.settings();
    settings.redirect_uri = Some(free.clone());
    let auth = hardcover_sync::auth::Auth::new(settings, Arc::new(hardcover_sync::auth::MemoryStore::new()));
    let browser = ScriptedBrowser::new();
    auth.connect_browser(quiet(browser.opener()), &hc.probe()).await.expect("a configured loopback redirect must work");
    let sent = param(&browser.visit().authorize_url.unwrap(), "redirect_uri").unwrap();
    assert_eq!(sent, free.as_str(), "the configured redirect_uri (port included) must be the one sent");

    let mut settings = hc.settings();
    settings.redirect_uri = Some(Url::parse("https://example.com/callback").unwrap());
    let auth = hardcover_sync::auth::Auth::new(settings, Arc::new(hardcover_sync::auth::MemoryStore::new()));
    let err = auth.connect_browser(quiet(ScriptedBrowser::new().opener()), &hc.probe()).await.unwrap_err();
    assert!(matches!(err, AuthError::BadRedirect(_)), "{err}");
    assert!(err.to_string().contains("loopback"), "{err}");
}
