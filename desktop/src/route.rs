//! Where the shelf browser window opens: the tray asks for a route, the window process shows it.

use serde::{Deserialize, Serialize};

/// Where the window opens. The UI routes on the URL fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    Shelves,
    Settings,
    Connect,
}

impl Route {
    pub fn fragment(self) -> &'static str {
        match self {
            Route::Shelves => "#/shelves",
            Route::Settings => "#/settings",
            Route::Connect => "#/connect",
        }
    }

    /// The name on the window process's command line (`--route settings`).
    pub fn name(self) -> &'static str {
        match self {
            Route::Shelves => "shelves",
            Route::Settings => "settings",
            Route::Connect => "connect",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [Route::Shelves, Route::Settings, Route::Connect].into_iter().find(|r| r.name() == name)
    }
}
