//! Opening the authorize URL in a browser. Injectable: the desktop app passes Tauri's opener,
//! tests pass a scripted browser, the CLI uses [`system_opener`].

use std::process::{Command, Stdio};
use std::sync::Arc;

use url::Url;

/// Open `url` somewhere the user can sign in. An error is not fatal: the URL is also shown.
pub type Opener = Arc<dyn Fn(&Url) -> Result<(), String> + Send + Sync>;

/// `$BROWSER` when set (the usual convention; also how headless users and scripts drive the
/// flow), otherwise the platform opener (`xdg-open`, `open`, `start`).
pub fn system_opener() -> Opener {
    Arc::new(|url: &Url| open_with(std::env::var("BROWSER").ok().as_deref(), url))
}

/// An opener that runs `command` (split on whitespace, no shell) with the URL appended: what
/// `$BROWSER` means. Exposed so the convention can be tested without touching the environment.
pub fn command_opener(command: impl Into<String>) -> Opener {
    let command = command.into();
    Arc::new(move |url: &Url| open_with(Some(&command), url))
}

fn open_with(browser: Option<&str>, url: &Url) -> Result<(), String> {
    {
        let browser = browser.filter(|b| !b.trim().is_empty());
        let (program, mut args): (String, Vec<String>) = match browser {
            // `$BROWSER` may carry arguments ("firefox --new-window"); no shell is involved.
            Some(b) => {
                let mut parts = b.split_whitespace().map(str::to_owned);
                (parts.next().unwrap_or_default(), parts.collect())
            }
            None if cfg!(target_os = "macos") => ("open".into(), vec![]),
            None if cfg!(windows) => ("explorer".into(), vec![]),
            None => ("xdg-open".into(), vec![]),
        };
        args.push(url.to_string());
        // Detached: the browser outlives the flow; its output would garble the terminal.
        Command::new(&program)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(|mut child| {
                // Reap it, so a long-running app does not collect zombies.
                std::thread::spawn(move || child.wait());
            })
            .map_err(|e| format!("cannot start {program}: {e}"))
    }
}
