//! A sign-in Hardcover stops accepting is announced by a notification, and clicking the
//! notification signs in again, through the browser, with nothing else to do.
//!
//! The app runs against the emulators started here (not `--demo`, whose emulators live inside
//! the app), so the test can revoke the app's access the way a user does on hardcover.app. The
//! "browser" is a script that follows the sign-in page's redirects (the emulator approves at
//! once), the way `$BROWSER` is used on a desktop.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use hardcover_sync_emulators::demo::{self, DemoSpec};

use crate::support::notifications::Notifications;
use crate::support::{AppProcess, TrayMenu, env};

const SECS: fn(u64) -> Duration = Duration::from_secs;

#[test]
fn clicking_the_reconnect_notification_signs_in_again() {
    let env = env();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let servers = rt.block_on(demo::start(&DemoSpec::default())).expect("the emulators must start");
    let notifications = Notifications::start();

    let dir = tempfile::Builder::new().prefix("hcs-e2e-reconnect-").tempdir().unwrap();
    servers.write_config(&dir.path().join("config.yaml")).unwrap();
    let browser = dir.path().join("browser.sh");
    std::fs::write(&browser, "#!/bin/sh\nexec curl -fsSL -o /dev/null \"$1\"\n").unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut app = AppProcess::start_in(&env, "reconnect", dir, &[], &[("BROWSER", &browser)]);
    let menu = TrayMenu::of_pid(app.pid(), SECS(30));

    menu.click("Connect Hardcover…");
    menu.wait_for_label("the browser sign-in from the tray", |l| l.starts_with("Connected as"));
    notifications.wait_for("the sign-in to be announced", SECS(15), |n| n.summary.starts_with("Connected as"));

    // The user removes the app's access on hardcover.app; the next sync finds out.
    servers.oauth.revoke_all_grants();
    menu.click("Sync now");
    menu.wait_for_label("the tray to ask for a new sign-in", |l| l == "Reconnect needed");
    let notice =
        notifications.wait_for("the reconnect notification", SECS(15), |n| n.summary == "Reconnect to Hardcover");
    assert!(
        notice.actions.chunks(2).any(|a| a[0] == "default"),
        "the reconnect notification must be clickable: {notice:?}"
    );
    assert!(notice.body.contains("Click here"), "it must say what a click does: {notice:?}");

    notifications.click(&notice);
    notifications.wait_for("the new sign-in to be announced", SECS(30), |n| {
        n.id != notice.id && n.id > notice.id && n.summary.starts_with("Connected as")
    });
    menu.wait_for_label("the reconnect line to go once signed in again", |l| l.starts_with("Last sync"));
    assert!(
        !menu.labels().iter().any(|l| l == "Reconnect needed"),
        "after the click's sign-in nothing may still ask for one: {:?}",
        menu.labels()
    );
    assert_eq!(
        notifications.count(|n| n.summary == "Reconnect to Hardcover"),
        1,
        "one rejected sign-in is announced once"
    );

    // And the new sign-in works: a sync runs through.
    menu.click("Sync now");
    let line =
        menu.wait_for_label("a sync on the new sign-in", |l| l.starts_with("Last sync") && l.contains("updated"));
    assert!(!line.contains("failed"), "{line}");
    assert!(app.is_running());
}
