//! Device grant (RFC 8628).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hardcover_sync::auth::{AuthError, DeviceCode, DeviceOptions, TokenKind, TokenStore};

use super::support::{Hardcover, USER_ID};

type Shared<T> = Arc<Mutex<T>>;

/// Options whose sleep records the asked-for interval and waits only a moment, and which approve
/// (as the user would, on another device) when `approve_on_sleep` sleeps have happened.
fn options(
    hc: &Hardcover,
    approve_on_sleep: Option<usize>,
) -> (DeviceOptions, Shared<Vec<Duration>>, Shared<Option<DeviceCode>>) {
    let shown = Arc::new(Mutex::new(None::<DeviceCode>));
    let slept = Arc::new(Mutex::new(Vec::new()));
    let shown2 = Arc::clone(&shown);
    let mut o = DeviceOptions::new(Arc::new(move |c: &DeviceCode| *shown2.lock().unwrap() = Some(c.clone())));
    let (slept2, shown3, oauth) = (Arc::clone(&slept), Arc::clone(&shown), hc.oauth.clone());
    o.sleep = Arc::new(move |d| {
        let n = {
            let mut s = slept2.lock().unwrap();
            s.push(d);
            s.len()
        };
        if Some(n) == approve_on_sleep {
            let code = shown3.lock().unwrap().clone().unwrap().user_code;
            assert!(oauth.approve_device(&code), "the shown user code must be the server's");
        }
        Box::pin(tokio::time::sleep(Duration::from_millis(5)))
    });
    (o, slept, shown)
}

#[tokio::test]
async fn device_flow_polls_at_the_servers_interval_and_honours_slow_down() {
    let hc = Hardcover::start().await;
    hc.oauth.set_knobs(|k| {
        k.device_interval = 2;
        k.device_slow_down_polls = 1;
    });
    let (auth, store) = hc.auth();
    let (opts, slept, shown) = options(&hc, Some(2));
    let account = auth.connect_device(opts, &hc.probe()).await.expect("an approved device code must connect");
    assert_eq!(account.user_id, USER_ID);
    let code = shown.lock().unwrap().clone().expect("the user code must be shown");
    assert!(code.verification_uri.starts_with("https://hardcover.app/"), "the verification URL must be shown");
    assert_eq!(
        *slept.lock().unwrap(),
        vec![Duration::from_secs(7), Duration::from_secs(7)],
        "after slow_down the interval must grow by 5 s from the server's 2 s, and stay there"
    );
    assert_eq!(hc.oauth.counters().device_polls, 3, "slow_down, authorization_pending, then tokens");
    assert_eq!(store.get().unwrap().unwrap().kind, TokenKind::OAuth);
}

#[tokio::test]
async fn device_code_expiry_stops_polling() {
    let hc = Hardcover::start().await;
    hc.oauth.set_knobs(|k| k.device_ttl = Duration::ZERO);
    let (auth, store) = hc.auth();
    let (opts, _slept, _shown) = options(&hc, None);
    let err = auth.connect_device(opts, &hc.probe()).await.expect_err("an expired device code must fail");
    assert!(matches!(err, AuthError::DeviceExpired), "{err}");
    assert_eq!(hc.oauth.counters().device_polls, 1, "polling must stop at expired_token");
    assert!(store.get().unwrap().is_none());
}

#[tokio::test]
async fn device_access_denied_stops_polling() {
    let hc = Hardcover::start().await;
    hc.oauth.set_knobs(|k| k.deny = true);
    let (auth, _store) = hc.auth();
    let (opts, _slept, _shown) = options(&hc, None);
    let err = auth.connect_device(opts, &hc.probe()).await.expect_err("a refusal must fail");
    assert!(matches!(err, AuthError::Denied), "{err}");
    assert_eq!(hc.oauth.counters().device_polls, 1, "polling must stop at access_denied");
}
