//! Windows: tray-icon's notification-area icon and its menu. Its objects live on the main
//! thread (tao's loop, see `platform`): the handles are kept there, and other threads ask for a
//! redraw with [`refresh`], which runs on that loop.

use std::cell::RefCell;
use std::sync::Arc;

use tray_icon::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tray_icon::{Icon, MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};

use super::{IconState, TOOLTIP, TRAY_ID, Tray, connect_label, id, local_hhmm, on_menu_event, pause_label};
use crate::tray::platform;

/// The status lines' ids (tray-icon wants one for every item; nothing acts on these).
const STATUS_USER: &str = "status-user";
const STATUS_SYNC: &str = "status-sync";

/// Labels are shown as given, except that `&` marks a mnemonic: a user name with one must keep it.
fn label(text: &str) -> String {
    text.replace('&', "&&")
}

fn icon(state: IconState) -> Result<Icon, String> {
    let (rgba, w, h) = state.rgba()?;
    Icon::from_rgba(rgba, w, h).map_err(|e| format!("tray icon {state:?}: {e}"))
}

/// Handles to what changes after start, kept on the main thread.
struct Handles {
    icon: TrayIcon,
    status_user: MenuItem,
    status_sync: MenuItem,
    connect: MenuItem,
    pause: MenuItem,
    start_at_login: CheckMenuItem,
    shown: Option<IconState>,
}

thread_local! {
    static HANDLES: RefCell<Option<Handles>> = const { RefCell::new(None) };
}

/// Build the tray icon and menu. On the main thread, after the loop was set up.
pub fn build(tray: &Arc<Tray>) -> Result<(), String> {
    let autostart = tray.autostart.is_enabled().unwrap_or(false);
    let status_user = MenuItem::with_id(STATUS_USER, "Not connected", false, None);
    let status_sync = MenuItem::with_id(STATUS_SYNC, "Not synced yet", false, None);
    let connect = MenuItem::with_id(id::CONNECT, "Connect Hardcover…", true, None);
    let sync_now = MenuItem::with_id(id::SYNC_NOW, "Sync now", true, None);
    let pause = MenuItem::with_id(id::PAUSE, "Pause sync", true, None);
    let open = MenuItem::with_id(id::OPEN_SHELVES, "Open shelves…", true, None);
    let settings = MenuItem::with_id(id::SETTINGS, "Settings…", true, None);
    let start_at_login = CheckMenuItem::with_id(id::START_AT_LOGIN, "Start at login", true, autostart, None);
    let quit = MenuItem::with_id(id::QUIT, "Quit", true, None);
    let sep = PredefinedMenuItem::separator;
    let menu = Menu::with_items(&[
        &status_user,
        &status_sync,
        &sep(),
        &connect,
        &sync_now,
        &pause,
        &sep(),
        &open,
        &settings,
        &start_at_login,
        &sep(),
        &quit,
    ])
    .map_err(|e| format!("cannot build the tray menu: {e}"))?;
    let icon = TrayIconBuilder::new()
        .with_id(TRAY_ID)
        .with_icon(icon(IconState::Disconnected)?)
        .with_tooltip(TOOLTIP)
        .with_menu(Box::new(menu))
        .with_menu_on_left_click(true)
        .build()
        .map_err(|e| format!("cannot show the tray icon: {e}"))?;
    let handler_tray = Arc::clone(tray);
    MenuEvent::set_event_handler(Some(move |event: MenuEvent| on_event(&handler_tray, event.id().as_ref())));
    // The menu shows when the button is released: the shelf browser starts hidden as it is
    // pressed (`Tray::start_window_ahead`). Off this thread: it is about to run the menu's loop.
    let ahead_tray = Arc::clone(tray);
    TrayIconEvent::set_event_handler(Some(move |event: TrayIconEvent| {
        if let TrayIconEvent::Click {
            button: MouseButton::Left | MouseButton::Right,
            button_state: MouseButtonState::Down,
            ..
        } = event
        {
            let tray = Arc::clone(&ahead_tray);
            std::thread::spawn(move || tray.start_window_ahead());
        }
    }));
    HANDLES.with(|h| {
        *h.borrow_mut() = Some(Handles { icon, status_user, status_sync, connect, pause, start_at_login, shown: None })
    });
    refresh_here(tray);
    tracing::info!("tray icon shown");
    Ok(())
}

/// Bring the menu and icon in line with the current status, from any thread.
pub fn refresh(tray: &Arc<Tray>) {
    let tray = Arc::clone(tray);
    platform::on_main_thread(move || refresh_here(&tray));
}

/// Keep the check mark in step when the setting changed in the window's Settings, from any thread.
pub fn set_autostart_checked(enabled: bool) {
    platform::on_main_thread(move || {
        HANDLES.with(|h| {
            if let Some(h) = h.borrow().as_ref() {
                h.start_at_login.set_checked(enabled);
            }
        })
    });
}

/// Nothing to wait for: the icon goes with the process.
pub fn close(_tray: &Tray) {}

fn refresh_here(tray: &Tray) {
    let status = tray.core.status();
    let (user, sync) = super::status_lines(&status, tray.core.last_error().as_deref(), &local_hhmm);
    HANDLES.with(|h| {
        let mut h = h.borrow_mut();
        let Some(h) = h.as_mut() else { return };
        h.status_user.set_text(label(&user));
        h.status_sync.set_text(label(&sync));
        h.connect.set_text(connect_label(&status));
        h.pause.set_text(pause_label(&status));
        let state = IconState::of(&status);
        if h.shown != Some(state) {
            match icon(state).and_then(|i| h.icon.set_icon(Some(i)).map_err(|e| e.to_string())) {
                Ok(()) => h.shown = Some(state),
                Err(e) => tracing::warn!("cannot update the tray icon: {e}"),
            }
        }
    });
}

/// On the main thread (the loop delivers menu activations there).
fn on_event(tray: &Arc<Tray>, which: &str) {
    if which != id::START_AT_LOGIN {
        return on_menu_event(tray, which);
    }
    tracing::info!(item = which, "tray menu");
    HANDLES.with(|h| {
        let h = h.borrow();
        let Some(h) = h.as_ref() else { return };
        // The menu has already flipped the check mark; make the OS agree, or flip it back.
        let wanted = h.start_at_login.is_checked();
        if let Err(e) = tray.autostart.set_enabled(wanted) {
            tracing::error!("cannot change start at login: {e}");
            h.start_at_login.set_checked(!wanted);
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_ampersand_in_a_name_is_shown_not_taken_for_a_mnemonic() {
        assert_eq!(super::label("Connected as Tom & Jerry"), "Connected as Tom && Jerry");
    }
}
