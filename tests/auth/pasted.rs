//! Pasted personal tokens.

use hardcover_sync::auth::{AuthError, TokenKind, TokenStore};
use hardcover_sync::hardcover::{TokenError, TokenProvider};
use hardcover_sync_emulators::hardcover::tokens::ALL_SCOPES;

use super::support::Hardcover;

#[tokio::test]
async fn pasted_token_with_or_without_bearer_is_checked_and_saved() {
    let hc = Hardcover::start().await;
    hc.registry.insert_personal("hc_pat_rw", 77, ALL_SCOPES);
    for raw in ["Bearer hc_pat_rw", "hc_pat_rw", "  bearer hc_pat_rw\n"] {
        let (auth, store) = hc.auth();
        let account =
            auth.connect_token(raw, &hc.probe()).await.unwrap_or_else(|e| panic!("{raw:?} must be accepted: {e}"));
        assert_eq!(account.user_id, 77, "the account must be the token's owner");
        let saved = store.get().unwrap().unwrap();
        assert_eq!(
            (saved.kind, saved.access_token.expose()),
            (TokenKind::Personal, "hc_pat_rw"),
            "the bare token is saved"
        );
        assert_eq!(auth.session().access_token().await.unwrap().expose(), "hc_pat_rw");
    }
}

#[tokio::test]
async fn pasted_token_without_write_scope_links_to_a_prefilled_token_page() {
    let hc = Hardcover::start().await;
    hc.registry.insert_personal("hc_pat_ro", 77, &["read:me:content", "read:library", "read:catalog"]);
    let (auth, store) = hc.auth();
    let err = auth.connect_token("hc_pat_ro", &hc.probe()).await.expect_err("a read-only token must be refused");
    assert!(matches!(err, AuthError::NoWriteAccess { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("https://hardcover.app/account/api/keys/new?scope="),
        "the error must link the token page: {msg}"
    );
    for scope in ["read:library", "write:library", "read:me:content", "write:lists", "read:catalog"] {
        assert!(msg.contains(scope), "the link must pre-fill {scope}: {msg}");
    }
    assert!(store.get().unwrap().is_none(), "a token that cannot write must not be saved");
}

#[tokio::test]
async fn unknown_pasted_token_is_rejected_and_a_401_later_needs_a_new_one() {
    let hc = Hardcover::start().await;
    let (auth, store) = hc.auth();
    let err =
        auth.connect_token("Bearer hc_pat_typo", &hc.probe()).await.expect_err("an unknown token must be refused");
    assert!(matches!(err, AuthError::TokenRejected { .. }), "{err}");
    assert!(store.get().unwrap().is_none());

    hc.registry.insert_personal("hc_pat_rw", 77, ALL_SCOPES);
    auth.connect_token("hc_pat_rw", &hc.probe()).await.unwrap();
    hc.registry.revoke("hc_pat_rw");
    let err = hc.call_me(&*auth.session()).await.expect_err("a reset personal token cannot be refreshed");
    assert!(err.contains("paste a new one"), "the message must say what to do: {err}");
    assert_eq!(hc.oauth.counters().refresh_requests, 0, "a personal token has nothing to refresh");
    assert!(matches!(auth.session().access_token().await, Err(TokenError::ReconnectNeeded(_))));
}
