//! Windows: start at login as Windows does it for one user, a value under
//! `HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run` that starts the tray with
//! `--autostart`. No administrator rights, and Task Manager's Startup tab shows (and can turn off)
//! the entry.

use std::path::PathBuf;

use winreg::RegKey;
use winreg::enums::{HKEY_CURRENT_USER, KEY_READ, KEY_SET_VALUE};

use super::{AutostartSwitch, TRAY_BINARY, sibling_binary};

const RUN: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";
const VALUE: &str = "Hardcover Sync";

pub struct RunKey {
    key: String,
    value: String,
    tray: PathBuf,
}

impl RunKey {
    /// The current user's entry, starting the tray installed beside this binary.
    pub fn for_this_user() -> Result<Self, String> {
        let tray = sibling_binary(TRAY_BINARY).map_err(|e| e.to_string())?;
        Ok(Self::at(RUN, VALUE, tray))
    }

    /// An entry under any key of the current user's (tests use their own, never the real `Run`).
    pub fn at(key: &str, value: &str, tray: PathBuf) -> Self {
        Self { key: key.to_owned(), value: value.to_owned(), tray }
    }

    /// The command Windows runs at login: the path quoted (it may hold spaces), then the flag.
    fn command(&self) -> String {
        format!("\"{}\" --autostart", self.tray.display())
    }
}

impl AutostartSwitch for RunKey {
    fn is_enabled(&self) -> Result<bool, String> {
        let hkcu = RegKey::predef(HKEY_CURRENT_USER);
        let Ok(key) = hkcu.open_subkey_with_flags(&self.key, KEY_READ) else { return Ok(false) };
        Ok(key.get_value::<String, _>(&self.value).is_ok_and(|v| v == self.command()))
    }

    fn set_enabled(&self, enabled: bool) -> Result<(), String> {
        let hkcu = RegKey::predef(HKEY_CURRENT_USER);
        if enabled {
            let (key, _) = hkcu.create_subkey(&self.key).map_err(|e| format!("cannot open {}: {e}", self.key))?;
            key.set_value(&self.value, &self.command()).map_err(|e| format!("cannot write the login entry: {e}"))
        } else {
            let Ok(key) = hkcu.open_subkey_with_flags(&self.key, KEY_SET_VALUE) else { return Ok(()) };
            match key.delete_value(&self.value) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(format!("cannot remove the login entry: {e}"))
                }
                _ => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_run_value_starts_the_tray_quietly_and_goes_away_when_turned_off() {
        let key = format!(r"Software\HardcoverSyncTests\Run{}", std::process::id());
        let tray = PathBuf::from(r"C:\Program Files\Hardcover Sync\hardcover-sync-app.exe");
        let item = RunKey::at(&key, VALUE, tray);
        assert_eq!(item.is_enabled(), Ok(false), "start at login is off until the user turns it on");
        item.set_enabled(true).unwrap();
        assert_eq!(item.is_enabled(), Ok(true), "turning it on must write the Run value");
        let written: String = RegKey::predef(HKEY_CURRENT_USER).open_subkey(&key).unwrap().get_value(VALUE).unwrap();
        assert_eq!(
            written, r#""C:\Program Files\Hardcover Sync\hardcover-sync-app.exe" --autostart"#,
            "the Run value must start the tray (its path quoted, for the space), marked as started at login"
        );
        item.set_enabled(true).unwrap();
        item.set_enabled(false).unwrap();
        assert_eq!(item.is_enabled(), Ok(false), "turning it off must remove the value");
        item.set_enabled(false).expect("turning off what is off is not an error");
        let _ = RegKey::predef(HKEY_CURRENT_USER).delete_subkey_all(r"Software\HardcoverSyncTests");
    }
}
