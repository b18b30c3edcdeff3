//! A notification server on the test's session bus (org.freedesktop.Notifications), so a test can
//! see what the app announces and click a notification the way a desktop's notification popup
//! does: by emitting `ActionInvoked`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::wait_for;

const PATH: &str = "/org/freedesktop/Notifications";
const IFACE: &str = "org.freedesktop.Notifications";

#[derive(Debug, Clone)]
pub struct Shown {
    pub id: u32,
    pub summary: String,
    pub body: String,
    /// Pairs of (key, label), flattened, as the spec sends them.
    pub actions: Vec<String>,
}

struct Server {
    shown: Arc<Mutex<Vec<Shown>>>,
    next_id: AtomicU32,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        self.shown.lock().unwrap().push(Shown { id, summary, body, actions });
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("e2e".into(), "hardcover-sync tests".into(), "1".into(), "1.2".into())
    }

    fn close_notification(&self, _id: u32) {}
}

pub struct Notifications {
    conn: zbus::blocking::Connection,
    shown: Arc<Mutex<Vec<Shown>>>,
}

impl Notifications {
    /// Own the notification service name on the session bus. Fails if a notification daemon
    /// already has it (the test could then not see or click anything).
    pub fn start() -> Self {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let server = Server { shown: Arc::clone(&shown), next_id: AtomicU32::new(0) };
        let conn = zbus::blocking::connection::Builder::session()
            .and_then(|b| b.name(IFACE))
            .and_then(|b| b.serve_at(PATH, server))
            .and_then(|b| b.build())
            .unwrap_or_else(|e| {
                panic!("cannot serve {IFACE} on the session bus (is a notification daemon running?): {e}")
            });
        Self { conn, shown }
    }

    /// The first notification shown that `pred` accepts, waiting up to `timeout`.
    pub fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&Shown) -> bool) -> Shown {
        wait_for(timeout, what, || self.shown.lock().unwrap().iter().find(|n| pred(n)).cloned())
    }

    pub fn count(&self, pred: impl Fn(&Shown) -> bool) -> usize {
        self.shown.lock().unwrap().iter().filter(|n| pred(n)).count()
    }

    /// Click the notification's body, as a popup does (the spec's "default" action).
    pub fn click(&self, n: &Shown) {
        self.conn
            .emit_signal(None::<&str>, PATH, IFACE, "ActionInvoked", &(n.id, "default"))
            .expect("emit ActionInvoked");
    }
}
