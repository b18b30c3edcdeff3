//! Command-line flags of the desktop app's two binaries: the tray (`hardcover-sync-app`, what the
//! user starts) and the window it starts (`hardcover-sync-window`). The full CLI is the separate
//! `hardcover-sync` binary.

use std::path::PathBuf;

use crate::route::Route;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LaunchArgs {
    /// Run against bundled emulators with a throwaway data dir and a file token store.
    pub demo: bool,
    /// Size of the demo's Hardcover library (default a few hundred; 10,000 for the benchmark).
    pub demo_books: Option<usize>,
    /// Open the shelves window at start (a second launch does this too, via single-instance).
    pub open_window: bool,
    /// Started by the OS at login: stay quietly in the tray.
    pub autostart: bool,
    /// Ask the running tray to quit, then exit (installers, scripts).
    pub quit: bool,
    pub config: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    /// Window process only: where the window opens.
    pub route: Option<Route>,
    /// Window process only: when the user asked for the window (Unix ms).
    pub asked_at_ms: Option<u64>,
    /// Window process only: started ahead, before anyone asked for it (the tray's menu opened):
    /// load the page hidden and show it when the tray says `Open`.
    pub ahead: bool,
}

pub const USAGE: &str =
    "usage: hardcover-sync-app [--demo [--demo-books N]] [--open-window | --quit] [--config FILE] [--data-dir DIR]";

impl LaunchArgs {
    /// Parse flags after the program name. Unknown flags are an error so a typo is not silently
    /// ignored.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut out = Self::default();
        let mut it = args.into_iter();
        while let Some(a) = it.next() {
            let mut value =
                |flag: &str| it.next().map(PathBuf::from).ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
            match a.as_str() {
                "--demo" => out.demo = true,
                "--open-window" => out.open_window = true,
                "--autostart" => out.autostart = true,
                "--quit" => out.quit = true,
                "--demo-books" => {
                    let n = value("--demo-books")?;
                    let n = n.to_str().and_then(|n| n.parse().ok()).filter(|&n: &usize| n > 0);
                    out.demo_books = Some(n.ok_or_else(|| format!("--demo-books needs a number of books\n{USAGE}"))?);
                }
                "--route" => {
                    let name = value("--route")?;
                    let route = name.to_str().and_then(Route::from_name);
                    out.route =
                        Some(route.ok_or_else(|| format!("--route needs shelves, settings or connect\n{USAGE}"))?);
                }
                "--asked-at-ms" => {
                    let ms = value("--asked-at-ms")?;
                    out.asked_at_ms = ms.to_str().and_then(|n| n.parse().ok());
                }
                "--ahead" => out.ahead = true,
                "--config" => out.config = Some(value("--config")?),
                "--data-dir" => out.data_dir = Some(value("--data-dir")?),
                "-h" | "--help" => return Err(USAGE.to_owned()),
                other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(a: &[&str]) -> Result<LaunchArgs, String> {
        LaunchArgs::parse(a.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags() {
        let a = parse(&["--demo", "--open-window", "--data-dir", "/tmp/x"]).unwrap();
        assert!(a.demo && a.open_window);
        assert_eq!(a.data_dir, Some(PathBuf::from("/tmp/x")));
        assert!(parse(&["--data-dir"]).unwrap_err().contains("needs a value"));
        assert_eq!(parse(&["--demo-books", "10000"]).unwrap().demo_books, Some(10_000));
        assert!(parse(&["--demo-books", "many"]).unwrap_err().contains("number of books"), "a bad size must be named");
        assert!(parse(&["--dmeo"]).unwrap_err().contains("--dmeo"), "a typo must be reported, not ignored");
        let w = parse(&["--route", "settings", "--asked-at-ms", "1764000000000"]).unwrap();
        assert_eq!((w.route, w.asked_at_ms), (Some(Route::Settings), Some(1_764_000_000_000)));
        assert!(parse(&["--ahead"]).unwrap().ahead, "a window started ahead must know it");
        assert!(parse(&["--route", "attic"]).unwrap_err().contains("--route needs"), "an unknown route is named");
    }
}
