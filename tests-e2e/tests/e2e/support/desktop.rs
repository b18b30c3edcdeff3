//! What WebDriver cannot reach: native dialogs. Driven with xdotool (XTEST), as a user's keyboard.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::wait_for;

fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool").args(args).output().expect("xdotool (apt: xdotool)");
    assert!(out.status.success(), "xdotool {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The X window id of the visible top-level window titled exactly `title`.
pub fn find_window(title: &str, timeout: Duration) -> String {
    wait_for(timeout, &format!("a window titled {title:?}"), || {
        let out =
            Command::new("xdotool").args(["search", "--onlyvisible", "--name", &format!("^{title}$")]).output().ok()?;
        String::from_utf8_lossy(&out.stdout).lines().next().map(str::to_owned)
    })
}

/// Answer the native save dialog titled `title` by typing `path` into its name field and
/// pressing Enter. GTK's file chooser takes a full path in that field.
pub fn answer_save_dialog(title: &str, path: &Path) {
    let id = find_window(title, Duration::from_secs(20));
    xdotool(&["windowfocus", "--sync", &id]);
    // The chooser fills its name field (selected) and folder list just after mapping.
    std::thread::sleep(Duration::from_millis(800));
    xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    xdotool(&["type", "--delay", "15", &path.display().to_string()]);
    xdotool(&["key", "Return"]);
}
