//! The tray menu, over D-Bus: every action, the window's lifecycle, single instance, quit.

use std::time::Duration;

use crate::support::{AppProcess, TrayMenu, env, isolated_args, screenshot, wait_for, window_titles};

const WINDOW_TITLE: &str = crate::WINDOW_TITLE;
const SECS: fn(u64) -> Duration = Duration::from_secs;

/// Every action is in the tray menu (Linux does not deliver icon clicks), in this order.
const MENU: &[&str] = &[
    "Not connected",
    "Not synced yet",
    "Connect Hardcover…",
    "Sync now",
    "Pause sync",
    "Open shelves…",
    "Settings…",
    "Start at login",
    "Quit",
];

#[test]
fn tray_menu_drives_the_app() {
    let env = env();
    let mut app = AppProcess::start(&env, "tray", &[]);
    let menu = TrayMenu::of_pid(app.pid(), SECS(30));

    assert_eq!(menu.labels(), MENU, "the tray menu must offer every action, starting with the status lines");
    let status_items: Vec<bool> =
        menu.items().iter().filter(|i| i.label.is_some()).take(2).map(|i| i.enabled).collect();
    assert_eq!(status_items, vec![false, false], "the status lines are information, not buttons");
    assert!(!window_titles().iter().any(|t| t == WINDOW_TITLE), "the app must start in the tray with no window");
    for lib in ["libwebkit2gtk", "libjavascriptcoregtk"] {
        let mapped = crate::support::mapped_libraries(app.pid(), lib);
        assert!(mapped.is_empty(), "the tray process must not load WebKit (only the window does): it maps {mapped:?}");
    }

    // Idle: nothing may wake the tray between scheduled syncs (the next one is 30 minutes away).
    // A count, not a timing: the threads' context switches while the test leaves the app alone,
    // in two 10 s windows. Something else on the session bus can wake it once in a while; a
    // thread with a timer of its own (a pool's 500 ms, a listener's 5 s) wakes it in both.
    std::thread::sleep(SECS(2));
    let woke: Vec<u64> = (0..2).map(|_| crate::support::wake_ups(app.pid(), SECS(10))).collect();
    assert!(
        woke.iter().min() <= Some(&1),
        "an idle tray must not wake up on its own: its threads woke {woke:?} times in two 10 s windows"
    );

    menu.click("Open shelves…");
    wait_for(SECS(20), "the shelves window to appear", || {
        window_titles().iter().any(|t| t == WINDOW_TITLE).then_some(())
    });
    std::thread::sleep(SECS(1));
    screenshot(&env, "tray-open-shelves");
    let window_process = crate::support::living_children(app.pid());
    assert_eq!(window_process.len(), 1, "the window must run in one process of its own, started by the tray");
    let program = crate::support::program_of(window_process[0]);
    assert!(program.ends_with("/hardcover-sync-window"), "the window process must be the window binary: {program}");
    assert!(
        !crate::support::mapped_libraries(window_process[0], "libwebkit2gtk").is_empty(),
        "WebKit must be loaded where the window is"
    );

    crate::support::close_window_and_wait(WINDOW_TITLE, "the window to close");
    assert!(app.is_running(), "closing the window must leave the app running in the tray");
    wait_for(SECS(15), "the window process (and WebKit's processes under it) to exit", || {
        crate::support::living_children(app.pid()).is_empty().then_some(())
    });
    // A figure, not a check: what the tray holds once the window has been open and closed.
    std::thread::sleep(SECS(3));
    crate::bench::record(
        &env,
        &format!(
            "tray memory: {} MiB RSS (app and children) after the window was opened and closed ({} build)",
            crate::support::rss_kib_of_tree(app.pid()) / 1024,
            if env.app.components().any(|c| c.as_os_str() == "release") { "release" } else { "debug" }
        ),
    );
    assert_eq!(menu.labels(), MENU, "the tray menu must still answer after the window closed");

    menu.click("Pause sync");
    menu.wait_for_label("the menu to offer Resume sync", |l| l == "Resume sync");
    assert!(menu.labels().iter().any(|l| l.ends_with("(paused)")), "the status line must say sync is paused");
    menu.click("Resume sync");
    menu.wait_for_label("the menu to offer Pause sync again", |l| l == "Pause sync");

    menu.click("Sync now");
    let line = menu.wait_for_label("the sync status line to report the run", |l| {
        l.starts_with("Last sync") || l.starts_with("Syncing")
    });
    assert!(!line.contains("Not synced yet"), "{line}");

    // A second launch must not start a second app: it opens the existing instance's window.
    let second =
        std::process::Command::new(&env.app).args(isolated_args(app.dir.path())).output().expect("second launch");
    assert!(second.status.success(), "a second launch must hand over and exit cleanly: {second:?}");
    assert!(app.is_running(), "the first instance must keep running after a second launch");
    wait_for(SECS(20), "a second launch to open the running instance's window", || {
        window_titles().iter().any(|t| t == WINDOW_TITLE).then_some(())
    });
    // Like a user, let the window finish appearing before closing it.
    std::thread::sleep(SECS(1));
    crate::support::close_window_and_wait(WINDOW_TITLE, "the window to close again");

    menu.click("Open shelves…");
    wait_for(SECS(20), "the window to open again from the tray", || {
        window_titles().iter().any(|t| t == WINDOW_TITLE).then_some(())
    });

    let open_window = crate::support::living_children(app.pid());
    menu.click("Quit");
    let status = app.wait_exit(SECS(15));
    assert!(status.success(), "Quit must exit cleanly, got {status}");
    wait_for(SECS(15), "the open window's process to exit with the tray", || {
        (!open_window.iter().any(|&p| crate::support::process_alive(p))).then_some(())
    });
}
