//! Linux: the first instance owns a well-known name on the session bus; a later launch finds it
//! taken and calls the owner's `Activate` (or `Quit`).

use zbus::fdo::{RequestNameFlags, RequestNameReply};

use super::{Claim, OnRequest, Request};

const NAME: &str = "dev.hardcoversync.desktop.SingleInstance";
const PATH: &str = "/dev/hardcoversync/desktop/SingleInstance";
const INTERFACE: &str = "dev.hardcoversync.desktop.SingleInstance";

/// The connection that owns the name: dropping it gives the name up.
pub type Held = zbus::Connection;

struct Instance {
    on_request: OnRequest,
}

#[zbus::interface(name = "dev.hardcoversync.desktop.SingleInstance")]
impl Instance {
    /// A second launch: show the window.
    fn activate(&self) {
        (self.on_request)(Request::Activate);
    }

    /// `hardcover-sync-app --quit`.
    fn quit(&self) {
        (self.on_request)(Request::Quit);
    }
}

pub async fn claim(request: Request, on_request: OnRequest) -> Claim {
    let built = async { zbus::connection::Builder::session()?.serve_at(PATH, Instance { on_request })?.build().await };
    let conn = match built.await {
        Ok(c) => c,
        Err(e) => return Claim::Unavailable(e.to_string()),
    };
    match conn.request_name_with_flags(NAME, RequestNameFlags::DoNotQueue.into()).await {
        Ok(RequestNameReply::PrimaryOwner | RequestNameReply::AlreadyOwner) => Claim::First(conn),
        // zbus turns the bus's "exists" answer into `NameTaken`.
        Err(zbus::Error::NameTaken) | Ok(RequestNameReply::Exists | RequestNameReply::InQueue) => {
            let method = match request {
                Request::Activate => "Activate",
                Request::Quit => "Quit",
            };
            if let Err(e) = conn.call_method(Some(NAME), PATH, Some(INTERFACE), method, &()).await {
                tracing::warn!("Hardcover Sync is already running but did not answer: {e}");
            }
            Claim::Second
        }
        Err(e) => Claim::Unavailable(e.to_string()),
    }
}
