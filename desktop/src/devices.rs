//! The device on the desk: noticing an e-reader being plugged in.
//!
//! A thread of the tray waits in poll(2) on `/proc/self/mountinfo`: Linux reports every mount and
//! unmount as a priority event there (proc(5)), so nothing wakes the tray in between. On a change
//! the mount table is read again and the new mount points (and the folders desktops mount drives
//! under) are looked at for a device's markers. Why the mount table rather than udisks2 on the
//! system D-Bus: it sees every mount (udisks2's, a hand `mount`, an fstab entry, a FUSE mount) and
//! needs no D-Bus permission or running udisks2 daemon. The demo's virtual Kobo is a folder, not a
//! mount: in demo mode only, its folder is also looked at every few seconds.
//! On Windows the drive letters in use stand for the mount table (a plugged-in e-reader gets a
//! letter of its own); there they are looked at every few seconds.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use hardcover_sync::sources::device::{self, Mounted};

/// How often the demo's media folder is looked at (demo mode only: real devices are mounts), and
/// the drive letters on Windows, which has no mount table to wait on.
pub const DEMO_POLL_EVERY: Duration = Duration::from_secs(3);

/// Call `changed` with the mount table now, then after every mount or unmount, from a thread of
/// its own that sleeps in poll(2) in between.
#[cfg(target_os = "linux")]
pub fn watch_mount_table(changed: impl Fn() + Send + 'static) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};

    use rustix::event::{PollFd, PollFlags, poll};
    use rustix::io::Errno;

    let mut file = std::fs::File::open("/proc/self/mountinfo")?;
    std::thread::Builder::new().name("mount-watch".into()).spawn(move || {
        let mut scratch = String::new();
        loop {
            // Reading the file to its end is what re-arms the event for the next change.
            scratch.clear();
            if file.seek(SeekFrom::Start(0)).and_then(|_| file.read_to_string(&mut scratch)).is_err() {
                tracing::warn!("cannot read the mount table any more: plugged-in e-readers are not noticed");
                return;
            }
            changed();
            let mut fds = [PollFd::new(&file, PollFlags::PRI)];
            match poll(&mut fds, None) {
                Ok(_) | Err(Errno::INTR) => {}
                Err(e) => {
                    tracing::warn!("cannot watch the mount table ({e}): plugged-in e-readers are not noticed");
                    return;
                }
            }
        }
    })?;
    Ok(())
}

/// What changed since the last look.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// Devices plugged in since the last look.
    pub plugged: Vec<Mounted>,
    /// Every device plugged in now (when anything changed).
    pub present: Option<Vec<String>>,
}

/// Remembers what was mounted, to tell what is new.
#[derive(Debug, Default)]
pub struct Watcher {
    /// Extra folders whose subfolders count as mounts (the demo's virtual drive).
    parents: Vec<PathBuf>,
    /// The last mount table and folder listings, to skip the markers' check when nothing moved.
    last_seen: Option<(String, Vec<PathBuf>)>,
    present: HashSet<String>,
}

impl Watcher {
    pub fn new(parents: Vec<PathBuf>) -> Self {
        Self { parents, ..Self::default() }
    }

    /// Look again.
    pub fn poll(&mut self) -> Change {
        // Windows has no mount table: the drive letters in use stand for it.
        let mountinfo = if cfg!(windows) {
            device::drive_roots().iter().map(|r| format!("{}\n", r.display())).collect()
        } else {
            std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default()
        };
        self.poll_with(mountinfo)
    }

    pub fn poll_with(&mut self, mountinfo: String) -> Change {
        let mut parents = self.parents.clone();
        parents.extend(device::mount_parents());
        let listed: Vec<PathBuf> =
            parents.iter().filter_map(|p| std::fs::read_dir(p).ok()).flatten().flatten().map(|e| e.path()).collect();
        let now = (mountinfo, listed);
        if self.last_seen.as_ref() == Some(&now) {
            return Change::default();
        }
        let found = device::scan(&now.0, &parents);
        self.last_seen = Some(now);
        let plugged: Vec<Mounted> = found.iter().filter(|m| !self.present.contains(&m.id)).cloned().collect();
        self.present = found.iter().map(|m| m.id.clone()).collect();
        let mut present: Vec<String> = self.present.iter().cloned().collect();
        present.sort();
        Change { plugged, present: Some(present) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kobo_appearing_is_plugged_once_and_gone_when_removed() {
        let media = tempfile::tempdir().unwrap();
        let mut w = Watcher::new(vec![media.path().to_path_buf()]);
        assert!(w.poll_with(String::new()).plugged.is_empty(), "nothing plugged in yet");
        let kobo = media.path().join("KOBOeReader");
        std::fs::create_dir_all(kobo.join(".kobo")).unwrap();
        std::fs::write(kobo.join(".kobo/KoboReader.sqlite"), b"").unwrap();
        std::fs::write(kobo.join(".kobo/version"), "N1,4.1,4.38,4.1,4.1,00000000-0000-0000-0000-000000000388").unwrap();
        // The folder listing changed with the new drive.
        let c = w.poll_with(String::new());
        assert_eq!(c.plugged.len(), 1, "a new Kobo is noticed: {c:?}");
        assert_eq!(c.plugged[0].id, "kobo:N1");
        assert!(w.poll_with(String::new()).plugged.is_empty(), "a device still plugged in is not new again");
        std::fs::remove_dir_all(&kobo).unwrap();
        let c = w.poll_with(String::new());
        assert_eq!(c.present, Some(Vec::new()), "an unplugged device is no longer present: {c:?}");
    }
}
