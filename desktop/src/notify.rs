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
    /// A reading server started failing (announced once, until it works again).
    SourceFailing {
        source: String,
        message: String,
    },
    /// How a sign-in started from the tray ended (the user asked for it: never muted).
    Connection {
        ok: bool,
        message: String,
    },
    /// An e-reader was plugged in (the user just did it: never muted). `books`: books with
    /// changes for Hardcover, when the plan could be made; `first`: its first sync waits for the
    /// user's confirmation in the window.
    Device {
        name: String,
        books: Option<usize>,
        first: bool,
    },
    /// The shelves window the user asked for could not start, or stopped on its own (the user
    /// clicked and would otherwise see nothing: never muted).
    WindowFailed {
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
            Notice::Failures { .. } | Notice::SourceFailing { .. } => prefs.failures,
            Notice::Reconnect { .. } => prefs.reconnect,
            Notice::Connection { .. } | Notice::Device { .. } | Notice::WindowFailed { .. } => true,
        }
    }

    /// What a click on the notice does, for notices that do something.
    pub fn action_label(&self) -> Option<&'static str> {
        match self {
            Notice::Reconnect { .. } => Some("Connect Hardcover…"),
            Notice::Device { first: true, .. } => Some("Review…"),
            Notice::Device { first: false, .. } => Some("Sync now"),
            _ => None,
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
            Notice::SourceFailing { source, message } => (
                format!("{source} cannot be synced"),
                format!("{message}\nOpen shelves… → Sync to edit the source or retry."),
            ),
            Notice::Connection { ok: true, message } => {
                (message.clone(), "Your shelves and sync are ready.".to_owned())
            }
            Notice::Connection { ok: false, message } => {
                ("Could not connect to Hardcover".to_owned(), format!("{message}\nTry Connect Hardcover… again."))
            }
            Notice::Reconnect { reason } => {
                ("Reconnect to Hardcover".to_owned(), format!("{reason}\nClick here to sign in again."))
            }
            Notice::Device { name, books, first } => {
                let summary = match books {
                    Some(1) => format!("{name} connected: 1 book to update"),
                    Some(n) => format!("{name} connected: {n} books to update"),
                    None => format!("{name} connected"),
                };
                let body = if *first {
                    "Its first sync is only planned: click to review what would change on Hardcover, then confirm."
                } else {
                    "Click to sync it now."
                };
                (summary, body.to_owned())
            }
            Notice::WindowFailed { message } => (
                "The shelves window could not open".to_owned(),
                format!("{message}\nThe app's log has the details; the tray and the sync go on."),
            ),
        }
    }
}

/// What clicking a notification does.
pub type OnClick = Box<dyn FnOnce() + Send>;

/// The action a click on the notification's body invokes (the freedesktop spec's name for it).
const CLICK: &str = "default";

/// Show `notice` unless muted. Delivery runs off the caller's thread (it talks D-Bus and may
/// block) and a failure is only logged: no notification daemon is not an error.
pub fn send(notice: Notice, prefs: &Notifications) {
    send_clickable(notice, prefs, None);
}

/// [`send`], and run `on_click` if the user clicks the notification (or its button, on servers
/// that show actions as buttons). The thread waits until the notification is clicked or closed.
pub fn send_clickable(notice: Notice, prefs: &Notifications, on_click: Option<OnClick>) {
    if !notice.allowed_by(prefs) {
        tracing::debug!(?notice, "notification muted in settings");
        return;
    }
    std::thread::spawn(move || {
        let (summary, body) = notice.text();
        let mut n = notify_rust::Notification::new();
        n.appname("Hardcover Sync").summary(&summary).body(&body).icon("dev.hardcoversync.desktop");
        if let (Some(label), Some(_)) = (notice.action_label(), &on_click) {
            n.action(CLICK, label);
        }
        match n.show() {
            Ok(shown) => {
                #[cfg(all(unix, not(target_os = "macos")))]
                if let Some(on_click) = on_click {
                    shown.wait_for_action(|action| {
                        if action == CLICK {
                            tracing::info!("notification {summary:?} clicked");
                            on_click();
                        }
                    });
                }
                #[cfg(not(all(unix, not(target_os = "macos"))))]
                let _ = (shown, on_click);
            }
            Err(e) => tracing::warn!("cannot show notification {summary:?}: {e}"),
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
    fn only_the_reconnect_notice_is_clickable() {
        let reconnect = Notice::Reconnect { reason: "Hardcover rejected the pasted token".into() };
        assert_eq!(reconnect.action_label(), Some("Connect Hardcover…"), "clicking it starts the connect flow");
        assert!(reconnect.text().1.contains("Click here"), "the notice must say that a click signs in again");
        assert_eq!(Notice::Finished { titles: vec!["x".into()] }.action_label(), None);
    }

    #[test]
    fn a_device_notice_counts_its_books_and_says_what_a_click_does() {
        let first = Notice::Device { name: "Kobo eReader".into(), books: Some(3), first: true };
        assert_eq!(first.text().0, "Kobo eReader connected: 3 books to update");
        assert_eq!(first.action_label(), Some("Review…"), "a first sync is reviewed in the window");
        let known = Notice::Device { name: "Kobo eReader".into(), books: Some(1), first: false };
        assert_eq!(known.action_label(), Some("Sync now"));
        assert!(known.allowed_by(&Notifications { finished: false, failures: false, reconnect: false }));
    }

    #[test]
    fn a_window_that_cannot_open_is_said_whatever_the_settings() {
        let n = Notice::WindowFailed { message: "it stopped at once (exit status: 101)".into() };
        assert!(n.allowed_by(&Notifications { finished: false, failures: false, reconnect: false }), "the user asked");
        assert!(n.text().1.contains("exit status: 101"), "the notice must carry the reason");
    }

    #[test]
    fn each_kind_is_muted_by_its_own_setting() {
        let prefs = Notifications { finished: false, failures: true, reconnect: false };
        assert!(!Notice::Finished { titles: vec!["x".into()] }.allowed_by(&prefs));
        assert!(Notice::Failures { count: 3, message: "x".into() }.allowed_by(&prefs));
        assert!(!Notice::Reconnect { reason: "x".into() }.allowed_by(&prefs));
    }
}
