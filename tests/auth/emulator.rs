//! The OAuth emulator's own contract, where the app's flows do not reach it.

use super::support::{CLIENT_ID, Hardcover, ISSUER};

#[tokio::test]
async fn discovery_names_the_endpoints_on_this_server() {
    let hc = Hardcover::start().await;
    let doc: serde_json::Value = reqwest::get(hc.base().join("/.well-known/oauth-authorization-server").unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["issuer"], ISSUER);
    assert_eq!(
        doc["token_endpoint"],
        hc.base().join("/oauth2/token").unwrap().as_str(),
        "endpoints must point at this server"
    );
    assert_eq!(doc["code_challenge_methods_supported"], serde_json::json!(["S256"]), "S256 only, like Hardcover");
}

#[tokio::test]
async fn device_code_can_be_approved_over_http_and_grants_at_most_what_was_asked() {
    let hc = Hardcover::start().await;
    hc.oauth.set_knobs(|k| k.grantable_scopes = Some(vec!["read:library".into(), "write:library".into()]));
    let http = reqwest::Client::new();
    let dev: serde_json::Value = http
        .post(hc.base().join("/oauth2/device").unwrap())
        .form(&[("client_id", CLIENT_ID), ("scope", "read:library write:lists")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hook = hc.base().join("/oauth2/device/approve").unwrap();
    let r = http.post(hook.clone()).form(&[("user_code", "NOPE-NOPE")]).send().await.unwrap();
    assert_eq!(r.status(), 404, "an unknown user code must not approve anything");
    let r = http.post(hook).form(&[("user_code", dev["user_code"].as_str().unwrap())]).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let tok: serde_json::Value = http
        .post(hc.base().join("/oauth2/token").unwrap())
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", dev["device_code"].as_str().unwrap()),
            ("client_id", CLIENT_ID),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tok["scope"], "read:library", "granted scopes must be requested ∩ allowed");
    let grant =
        hc.registry.check(tok["access_token"].as_str().unwrap()).expect("issued tokens must be in the registry");
    assert_eq!(grant.scopes, vec!["read:library".to_string()]);
    assert!(grant.expires_at.is_some(), "OAuth access tokens expire");
}
