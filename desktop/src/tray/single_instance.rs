//! One tray per desktop session: the first instance owns a name on the session bus; a second
//! launch finds it taken, asks the owner to open its window, and exits.

use zbus::fdo::{RequestNameFlags, RequestNameReply};

const NAME: &str = "dev.hardcoversync.desktop.SingleInstance";
const PATH: &str = "/dev/hardcoversync/desktop/SingleInstance";
const INTERFACE: &str = "dev.hardcoversync.desktop.SingleInstance";

pub type OnActivate = Box<dyn Fn() + Send + Sync>;

struct Instance {
    on_activate: OnActivate,
}

#[zbus::interface(name = "dev.hardcoversync.desktop.SingleInstance")]
impl Instance {
    /// A second launch: show the window.
    fn activate(&self) {
        (self.on_activate)();
    }
}

pub enum Claim {
    /// We are the instance; the connection holds the name for as long as it lives.
    First(zbus::Connection),
    /// Another instance runs and was asked to open its window.
    Second,
    /// No session bus (a bare server, a broken session): run, without the one-instance guard.
    Unavailable(String),
}

pub async fn claim(on_activate: OnActivate) -> Claim {
    let built = async { zbus::connection::Builder::session()?.serve_at(PATH, Instance { on_activate })?.build().await };
    let conn = match built.await {
        Ok(c) => c,
        Err(e) => return Claim::Unavailable(e.to_string()),
    };
    match conn.request_name_with_flags(NAME, RequestNameFlags::DoNotQueue.into()).await {
        Ok(RequestNameReply::PrimaryOwner | RequestNameReply::AlreadyOwner) => Claim::First(conn),
        // zbus turns the bus's "exists" answer into `NameTaken`.
        Err(zbus::Error::NameTaken) | Ok(RequestNameReply::Exists | RequestNameReply::InQueue) => {
            if let Err(e) = conn.call_method(Some(NAME), PATH, Some(INTERFACE), "Activate", &()).await {
                tracing::warn!("Hardcover Sync is already running but did not answer: {e}");
            }
            Claim::Second
        }
        Err(e) => Claim::Unavailable(e.to_string()),
    }
}
