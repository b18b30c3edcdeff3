//! Exclusive locks on files in the data folder, held across processes.
//!
//! The tray, the window and a CLI run from cron share one data folder, one database and one
//! token. An OS file lock (`flock`) is what keeps them from doing the same work twice: the kernel
//! drops it when the holder exits, however it exits (a crash or `kill -9` leaves no stale lock
//! behind, unlike a pid file). The holder writes its pid into the file so a refused caller can
//! say who holds it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often a waiting caller tries again. The lock is held for seconds to minutes (a sync, a
/// token refresh): a quarter second costs nothing and keeps the wait short after it is freed.
const POLL: Duration = Duration::from_millis(250);

#[derive(Debug, thiserror::Error)]
#[error("cannot lock {path}: {source}")]
pub struct LockError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// A held lock; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
}

/// The process holding a lock someone else asked for, when it said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    pub pid: Option<u32>,
}

impl FolderLock {
    /// Take the lock at `path` if it is free; `Err(Holder)` names who has it.
    pub fn try_acquire(path: &Path) -> Result<Result<Self, Holder>, LockError> {
        Self::take(path, PID_GRACE)
    }

    /// Take the lock if free; when it is not, wait up to `grace` for the holder's pid.
    fn take(path: &Path, grace: Duration) -> Result<Result<Self, Holder>, LockError> {
        let err = |source| LockError { path: path.to_path_buf(), source };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        // Never truncate on open: the file holds the current holder's pid.
        let mut file =
            OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).map_err(err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Ok(Err(Holder { pid: holder_pid(&mut file, grace) })),
            Err(TryLockError::Error(e)) => return Err(err(e)),
        }
        // Only the holder writes, right after taking the lock; `holder_pid` waits out that moment.
        file.set_len(0).map_err(err)?;
        file.seek(SeekFrom::Start(0)).map_err(err)?;
        write!(file, "{}", std::process::id()).map_err(err)?;
        Ok(Ok(Self { _file: file }))
    }

    /// Take the lock at `path`, waiting as long as another process holds it.
    pub async fn acquire(path: &Path) -> Result<Self, LockError> {
        let mut logged = false;
        loop {
            // No grace: the pid only goes to a log line, and this loop runs on the async runtime.
            match Self::take(path, Duration::ZERO)? {
                Ok(lock) => return Ok(lock),
                Err(holder) if !logged => {
                    tracing::info!(pid = holder.pid, "waiting for {} held by another process", path.display());
                    logged = true;
                }
                Err(_) => {}
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// How long a refused caller waits for a holder that has just taken the lock to write its pid.
/// The holder writes it at once, so this only matters when two start in the same instant (three
/// processes on a fresh data folder saw an empty file): without it the refusal names no pid.
/// (Windows locks are mandatory, so there the file cannot be read and the refusal names no pid.)
const PID_GRACE: Duration = Duration::from_millis(200);

fn holder_pid(file: &mut File, grace: Duration) -> Option<u32> {
    let started = std::time::Instant::now();
    loop {
        let pid = read_pid(file);
        if pid.is_some() || started.elapsed() >= grace {
            return pid;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_refuses_others_and_names_its_holder_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/sync.lock");
        let held = FolderLock::try_acquire(&path).unwrap().expect("a free lock must be taken");
        // flock locks belong to the open file, so a second open in this process is refused too.
        let refused = FolderLock::try_acquire(&path).unwrap().expect_err("a held lock must be refused");
        assert_eq!(refused.pid, Some(std::process::id()), "the refusal must name the holder's pid");
        drop(held);
        assert!(FolderLock::try_acquire(&path).unwrap().is_ok(), "a dropped lock must be free again");
    }

    #[test]
    fn a_refusal_in_the_instant_the_holder_starts_still_names_its_pid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sync.lock");
        // A holder caught between taking the lock and writing its pid: the file is still empty.
        let mut holder = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).unwrap();
        holder.lock().unwrap();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(30));
            write!(holder, "4242").unwrap();
            holder
        });
        let refused = FolderLock::try_acquire(&path).unwrap().expect_err("a held lock must be refused");
        assert_eq!(refused.pid, Some(4242), "a refusal must wait for a holder that has just started to write its pid");
        drop(writer.join().unwrap());
    }

    #[tokio::test]
    async fn acquire_waits_for_the_holder_to_let_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sync.lock");
        let held = FolderLock::try_acquire(&path).unwrap().unwrap();
        let waiter = tokio::spawn({
            let path = path.clone();
            async move { FolderLock::acquire(&path).await }
        });
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(!waiter.is_finished(), "a waiter must not get a lock that is still held");
        drop(held);
        let got = tokio::time::timeout(Duration::from_secs(5), waiter).await;
        assert!(matches!(got, Ok(Ok(Ok(_)))), "the waiter must get the lock once it is freed");
    }
}
