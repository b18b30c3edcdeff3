//! One tray per user: the first launch owns a per-user name; a later launch finds it taken, hands
//! its request to the owner (open the window, or quit) and exits.
//!
//! Linux: a well-known name on the session bus. Windows: a named pipe created with
//! `first_pipe_instance`, which the OS refuses to create twice.

#[cfg(target_os = "linux")]
mod dbus;
#[cfg(target_os = "linux")]
pub use dbus::{Held, claim};

#[cfg(windows)]
mod pipe;
#[cfg(windows)]
pub use pipe::{Held, claim};

/// What a later launch asks the running tray to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Show the window (a plain second launch).
    Activate,
    /// End (`hardcover-sync-app --quit`: installers, scripts, tests).
    Quit,
}

impl Request {
    /// The word sent between the two processes.
    pub fn word(self) -> &'static str {
        match self {
            Request::Activate => "activate",
            Request::Quit => "quit",
        }
    }

    /// What the Windows pipe reads (D-Bus carries the request as its method name instead).
    #[cfg(any(windows, test))]
    pub fn from_word(word: &str) -> Option<Self> {
        match word.trim() {
            "activate" => Some(Request::Activate),
            "quit" => Some(Request::Quit),
            _ => None,
        }
    }
}

pub type OnRequest = Box<dyn Fn(Request) + Send + Sync>;

pub enum Claim {
    /// We are the instance; the name is ours for as long as this lives.
    First(Held),
    /// Another instance runs and was handed the request.
    Second,
    /// The OS facility is missing (no session bus on a bare server): run, without the guard.
    Unavailable(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_survive_the_trip_between_processes() {
        for r in [Request::Activate, Request::Quit] {
            assert_eq!(Request::from_word(&format!("{}\n", r.word())), Some(r), "each request must read back as sent");
        }
        assert_eq!(Request::from_word("format c:"), None, "an unknown word must not be taken for a request");
    }
}
