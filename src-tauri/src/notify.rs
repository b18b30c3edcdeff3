//! Desktop notifications: one per sync run at most, each kind mutable in Settings.

use hardcover_sync::config::Notifications;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Books a run marked Read on Hardcover (grouped: one notification per run).
    Finished {
        titles: Vec<String>,
    },
    /// Sync failed `count` times in a row.
    Failures {
        count: u32,
        message: String,
    },
    Reconnect {
        reason: String,
    },
    /// How a sign-in started from the tray ended (the user asked for it: never muted).
    Connection {
        ok: bool,
        message: String,
    },
}

/// Failures are announced once, when this many runs in a row have failed: one failure is often a
/// blip (laptop waking up), and repeating the notice every run would be noise.
pub const FAILURES_BEFORE_NOTICE: u32 = 3;

impl Notice {
    pub fn allowed_by(&self, prefs: &Notifications) -> bool {
        match self {
            Notice::Finished { .. } => prefs.finished,
            Notice::Failures { .. } => prefs.failures,
            Notice::Reconnect { .. } => prefs.reconnect,
            Notice::Connection { .. } => true,
        }
    }

    /// (summary, body)
    pub fn text(&self) -> (String, String) {
        match self {
            Notice::Finished { titles } => {
                let summary = match titles.len() {
                    1 => "Finished book sent to Hardcover".to_owned(),
                    n => format!("{n} finished books sent to Hardcover"),
                };
                const SHOWN: usize = 3;
                let mut body = titles.iter().take(SHOWN).cloned().collect::<Vec<_>>().join("\n");
                if titles.len() > SHOWN {
                    body.push_str(&format!("\n… and {} more", titles.len() - SHOWN));
                }
                (summary, body)
            }
            Notice::Failures { count, message } => (
                format!("Sync failed {count} times in a row"),
                format!("{message}\nOpen the logs from Settings for details."),
            ),
            Notice::Connection { ok: true, message } => {
                (message.clone(), "Your shelves and sync are ready.".to_owned())
            }
            Notice::Connection { ok: false, message } => {
                ("Could not connect to Hardcover".to_owned(), format!("{message}\nTry Connect Hardcover… again."))
            }
            Notice::Reconnect { reason } => {
                ("Reconnect to Hardcover".to_owned(), format!("{reason}\nUse Connect Hardcover… in the tray menu."))
            }
        }
    }
}

/// Show `notice` unless muted. Delivery runs off the caller's thread (it talks D-Bus and may
/// block) and a failure is only logged: no notification daemon is not an error.
pub fn send(notice: Notice, prefs: &Notifications) {
    if !notice.allowed_by(prefs) {
        tracing::debug!(?notice, "notification muted in settings");
        return;
    }
    std::thread::spawn(move || {
        let (summary, body) = notice.text();
        if let Err(e) = notify_rust::Notification::new()
            .appname("Hardcover Sync")
            .summary(&summary)
            .body(&body)
            .icon("dev.hardcoversync.desktop")
            .show()
        {
            tracing::warn!("cannot show notification {summary:?}: {e}");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finished_books_are_grouped_per_run() {
        let n = Notice::Finished { titles: (1..=5).map(|i| format!("Book {i}")).collect() };
        let (summary, body) = n.text();
        assert_eq!(summary, "5 finished books sent to Hardcover", "one notification must cover the whole run");
        assert!(body.contains("Book 1") && body.contains("and 2 more"), "{body}");
    }

    #[test]
    fn each_kind_is_muted_by_its_own_setting() {
        let prefs = Notifications { finished: false, failures: true, reconnect: false };
        assert!(!Notice::Finished { titles: vec!["x".into()] }.allowed_by(&prefs));
        assert!(Notice::Failures { count: 3, message: "x".into() }.allowed_by(&prefs));
        assert!(!Notice::Reconnect { reason: "x".into() }.allowed_by(&prefs));
    }
}
