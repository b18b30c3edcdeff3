//! The desktop around the app: its two binaries, start at login, opening a folder.
//!
//! OS side effects sit behind small traits so command tests can run without touching the user's
//! desktop.

use std::path::{Path, PathBuf};

pub mod memory;
#[cfg(windows)]
pub mod run_key;

/// The tray: what the user (and the login item) starts.
pub const TRAY_BINARY: &str = "hardcover-sync-app";
/// The shelf browser window, started by the tray (see `link`).
pub const WINDOW_BINARY: &str = "hardcover-sync-window";

/// `name`, installed beside the running binary (both are built and packaged together).
pub fn sibling_binary(name: &str) -> std::io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().ok_or_else(|| std::io::Error::other("this program has no folder"))?;
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        Ok(path)
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "{} is missing: reinstall Hardcover Sync (or build every binary of hardcover-sync-app)",
                path.display()
            ),
        ))
    }
}

/// Start at login (the OS login items; off unless the user turns it on).
pub trait AutostartSwitch: Send + Sync {
    fn is_enabled(&self) -> Result<bool, String>;
    fn set_enabled(&self, enabled: bool) -> Result<(), String>;
}

pub trait FolderOpener: Send + Sync {
    fn open(&self, dir: &Path) -> Result<(), String>;
}

/// Start at login as the freedesktop autostart spec has it: a desktop entry in
/// `$XDG_CONFIG_HOME/autostart/` that starts the tray with `--autostart`. Both processes use this
/// one (the tray's menu item and the window's Settings), so they agree on the file.
pub struct LoginItem {
    file: PathBuf,
    tray: PathBuf,
}

impl LoginItem {
    pub const FILE_NAME: &str = "hardcover-sync.desktop";

    /// The current user's entry, starting the tray installed beside this binary.
    pub fn for_this_user() -> Result<Self, String> {
        let dirs = directories::BaseDirs::new().ok_or("cannot find the home folder for the login item")?;
        let tray = sibling_binary(TRAY_BINARY).map_err(|e| e.to_string())?;
        Ok(Self::at(dirs.config_dir().join("autostart").join(Self::FILE_NAME), tray))
    }

    pub fn at(file: PathBuf, tray: PathBuf) -> Self {
        Self { file, tray }
    }

    fn entry(&self) -> String {
        format!(
            "[Desktop Entry]\nType=Application\nName=Hardcover Sync\nComment=Sync your reading with Hardcover\n\
             Exec={} --autostart\nIcon=hardcover-sync-app\nTerminal=false\nX-GNOME-Autostart-enabled=true\n",
            exec_arg(&self.tray.to_string_lossy())
        )
    }
}

/// A program path as the `Exec` key wants it: quoted when it has anything but plain characters,
/// with the spec's escapes inside the quotes, and `%` doubled (field codes).
fn exec_arg(path: &str) -> String {
    let plain = path.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c));
    if plain {
        return path.to_owned();
    }
    let mut out = String::from("\"");
    for c in path.chars() {
        match c {
            '"' | '`' | '$' => {
                out.push_str("\\\\");
                out.push(c);
            }
            '\\' => out.push_str("\\\\\\\\"),
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl AutostartSwitch for LoginItem {
    fn is_enabled(&self) -> Result<bool, String> {
        Ok(self.file.is_file())
    }

    fn set_enabled(&self, enabled: bool) -> Result<(), String> {
        if !enabled {
            return match std::fs::remove_file(&self.file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(format!("cannot remove {}: {e}", self.file.display()))
                }
                _ => Ok(()),
            };
        }
        let dir = self.file.parent().ok_or("the login item has no folder")?;
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        // Written whole or not at all: a half-written entry would start nothing at login.
        let tmp = self.file.with_extension("desktop.tmp");
        std::fs::write(&tmp, self.entry())
            .and_then(|()| std::fs::rename(&tmp, &self.file))
            .map_err(|e| format!("cannot write {}: {e}", self.file.display()))
    }
}

/// Start at login for this user, the way this OS does it: an XDG autostart entry on Linux, the
/// `Run` key on Windows. Both processes use this (the tray's menu item and the window's Settings),
/// so they agree. Where it cannot work, a switch that says why.
pub fn login_item() -> std::sync::Arc<dyn AutostartSwitch> {
    #[cfg(windows)]
    let item = run_key::RunKey::for_this_user();
    #[cfg(not(windows))]
    let item = LoginItem::for_this_user();
    match item {
        Ok(item) => std::sync::Arc::new(item),
        Err(e) => {
            tracing::warn!("start at login is not available: {e}");
            std::sync::Arc::new(NoLoginItem(e))
        }
    }
}

/// Where start at login cannot work (no home folder, no tray binary): says why when used.
pub struct NoLoginItem(pub String);

impl AutostartSwitch for NoLoginItem {
    fn is_enabled(&self) -> Result<bool, String> {
        Ok(false)
    }

    fn set_enabled(&self, _: bool) -> Result<(), String> {
        Err(self.0.clone())
    }
}

/// Opens a folder in the desktop's file manager.
pub struct SystemOpener;

impl FolderOpener for SystemOpener {
    fn open(&self, dir: &Path) -> Result<(), String> {
        #[cfg(target_os = "linux")]
        let program = "xdg-open";
        #[cfg(target_os = "macos")]
        let program = "open";
        #[cfg(target_os = "windows")]
        let program = "explorer";
        std::process::Command::new(program)
            .arg(dir)
            .spawn()
            .map(|_| ())
            .map_err(|e| format!("cannot start {program} to open {}: {e}", dir.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_item_starts_the_tray_quietly_and_goes_away_when_turned_off() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("autostart").join(LoginItem::FILE_NAME);
        let item = LoginItem::at(file.clone(), PathBuf::from("/usr/bin/hardcover-sync-app"));
        assert_eq!(item.is_enabled(), Ok(false), "start at login is off until the user turns it on");
        item.set_enabled(true).unwrap();
        assert_eq!(item.is_enabled(), Ok(true));
        let entry = std::fs::read_to_string(&file).unwrap();
        assert!(
            entry.lines().any(|l| l == "Exec=/usr/bin/hardcover-sync-app --autostart"),
            "the login item must start the tray, marked as started at login: {entry}"
        );
        assert!(entry.starts_with("[Desktop Entry]\nType=Application\n"), "{entry}");
        item.set_enabled(true).unwrap();
        item.set_enabled(false).unwrap();
        assert_eq!(item.is_enabled(), Ok(false), "turning it off must remove the entry");
        item.set_enabled(false).expect("turning off what is off is not an error");
        assert!(!file.with_extension("desktop.tmp").exists(), "no temp file may be left behind");
    }

    #[test]
    fn a_program_path_with_spaces_or_specials_is_quoted_for_exec() {
        assert_eq!(exec_arg("/opt/Hardcover Sync/app"), "\"/opt/Hardcover Sync/app\"");
        assert_eq!(exec_arg("/home/a$b/100%/app"), "\"/home/a\\\\$b/100%%/app\"");
        assert_eq!(exec_arg("/usr/bin/hardcover-sync-app"), "/usr/bin/hardcover-sync-app");
    }

    #[test]
    fn start_at_login_that_cannot_work_says_why() {
        let none = NoLoginItem("cannot find the home folder for the login item".into());
        assert_eq!(none.is_enabled(), Ok(false));
        assert!(none.set_enabled(true).unwrap_err().contains("home folder"));
    }

    #[test]
    fn a_missing_sibling_binary_says_what_to_do() {
        let err = sibling_binary("no-such-hardcover-binary").unwrap_err();
        assert!(err.to_string().contains("reinstall"), "{err}");
    }
}
