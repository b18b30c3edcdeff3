//! Linux: the tray as a StatusNotifierItem and its menu (`com.canonical.dbusmenu`), served on the
//! session bus by ksni on the async runtime. It is what libayatana-appindicator speaks too, and
//! what the panels that show tray icons read (KDE Plasma, GNOME with the AppIndicator extension,
//! XFCE, Cinnamon, MATE, LXQt, waybar), without GTK in the process: GTK and what it loads (cairo,
//! Pango, HarfBuzz, X11) were most of the idle tray's memory.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ksni::menu::{CheckmarkItem, MenuItem, StandardItem};
use ksni::{Handle, OfflineReason, ToolTip, TrayMethods};

use super::{IconState, TOOLTIP, TRAY_ID, Tray, connect_label, id, local_hhmm, on_menu_event, pause_label};
use crate::tray::platform;

/// The running service, and the runtime it runs on (refreshes are sent from any thread).
static SERVICE: OnceLock<(Handle<Sni>, tokio::runtime::Handle)> = OnceLock::new();

/// How long Quit leaves for the click that asked for it to be answered: the panel's `Event`
/// call is answered after the item's callback returns, and a process that leaves the bus first
/// leaves the panel (or a script) with an error instead of a reply.
const ANSWER_GRACE: Duration = Duration::from_millis(250);

/// What the panel reads: the menu's words and the icon, as of the last refresh.
struct Sni {
    tray: Arc<Tray>,
    user: String,
    sync: String,
    connect: &'static str,
    pause: &'static str,
    autostart: bool,
    icon: IconState,
    pixmap: Vec<ksni::Icon>,
}

impl Sni {
    fn new(tray: &Arc<Tray>) -> Self {
        let mut sni = Sni {
            tray: Arc::clone(tray),
            user: String::new(),
            sync: String::new(),
            connect: "",
            pause: "",
            autostart: tray.autostart.is_enabled().unwrap_or(false),
            icon: IconState::Disconnected,
            pixmap: pixmap(IconState::Disconnected),
        };
        sni.read_status();
        sni
    }

    /// Read the status now (not when the refresh was asked for: refreshes sent from several
    /// threads may arrive in any order, the last one must not show an older state).
    fn read_status(&mut self) {
        let status = self.tray.core.status();
        let (user, sync) = super::status_lines(&status, self.tray.core.last_error().as_deref(), &local_hhmm);
        self.user = user;
        self.sync = sync;
        self.connect = connect_label(&status);
        self.pause = pause_label(&status);
        let icon = IconState::of(&status);
        if icon != self.icon || self.pixmap.is_empty() {
            self.icon = icon;
            self.pixmap = pixmap(icon);
        }
    }

    /// A menu action, run on the main thread: the callback itself runs inside the D-Bus service
    /// and must return at once.
    fn act(&self, which: &'static str) {
        let tray = Arc::clone(&self.tray);
        platform::on_main_thread(move || on_menu_event(&tray, which));
    }
}

fn action(label: &str, which: &'static str) -> MenuItem<Sni> {
    StandardItem { label: label.into(), activate: Box::new(move |s: &mut Sni| s.act(which)), ..Default::default() }
        .into()
}

/// A status line: information, not a button.
fn info(text: &str) -> MenuItem<Sni> {
    StandardItem { label: mnemonic_free(text), enabled: false, ..Default::default() }.into()
}

/// dbusmenu takes `_` for a mnemonic mark: a user name with one must keep it.
fn mnemonic_free(text: &str) -> String {
    text.replace('_', "__")
}

/// The icon as the panel wants it: ARGB32, network byte order.
fn pixmap(state: IconState) -> Vec<ksni::Icon> {
    match state.rgba() {
        Ok((rgba, width, height)) => vec![ksni::Icon {
            width: i32::try_from(width).unwrap_or(0),
            height: i32::try_from(height).unwrap_or(0),
            data: rgba.chunks_exact(4).flat_map(|p| [p[3], p[0], p[1], p[2]]).collect(),
        }],
        Err(e) => {
            tracing::warn!("cannot show the tray icon: {e}");
            Vec::new()
        }
    }
}

impl ksni::Tray for Sni {
    /// A click on the icon opens the menu: every action is there.
    const MENU_ON_ACTIVATE: bool = true;

    fn id(&self) -> String {
        TRAY_ID.into()
    }

    fn title(&self) -> String {
        TOOLTIP.into()
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        self.pixmap.clone()
    }

    fn tool_tip(&self) -> ToolTip {
        ToolTip { title: TOOLTIP.into(), description: self.sync.clone(), ..Default::default() }
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        vec![
            info(&self.user),
            info(&self.sync),
            MenuItem::Separator,
            action(self.connect, id::CONNECT),
            action("Sync now", id::SYNC_NOW),
            action(self.pause, id::PAUSE),
            MenuItem::Separator,
            action("Open shelves…", id::OPEN_SHELVES),
            action("Settings…", id::SETTINGS),
            CheckmarkItem {
                label: "Start at login".into(),
                checked: self.autostart,
                activate: Box::new(|s: &mut Sni| {
                    let (tray, wanted) = (Arc::clone(&s.tray), !s.autostart);
                    platform::on_main_thread(move || switch_autostart(&tray, wanted));
                }),
                ..Default::default()
            }
            .into(),
            MenuItem::Separator,
            action("Quit", id::QUIT),
        ]
    }

    /// The panel is about to show the menu (the AppIndicator extension and KDE ask on every open):
    /// the shelf browser starts hidden now, while the user moves to "Open shelves…".
    fn menu_about_to_show(&mut self) {
        let tray = Arc::clone(&self.tray);
        platform::on_main_thread(move || tray.start_window_ahead());
    }

    fn watcher_online(&self) {
        tracing::info!("a system tray appeared on the desktop: the icon is shown there");
    }

    fn watcher_offline(&self, reason: OfflineReason) -> bool {
        // Keep serving: the panel may start after us (at login) or come back after a restart.
        tracing::warn!(
            "no system tray is listening on this desktop ({reason:?}): the icon shows once one starts \
             (on GNOME, the AppIndicator extension provides it)"
        );
        true
    }
}

/// On the main thread: the login item first, then the check mark says what it is.
fn switch_autostart(tray: &Tray, wanted: bool) {
    tracing::info!(item = id::START_AT_LOGIN, wanted, "tray menu");
    if let Err(e) = tray.autostart.set_enabled(wanted) {
        tracing::error!("cannot change start at login: {e}");
    }
    set_autostart_checked(tray.autostart.is_enabled().unwrap_or(!wanted));
}

/// Show the icon and serve its menu. On the main thread, outside the runtime.
pub fn build(tray: &Arc<Tray>) -> Result<(), String> {
    let sni = Sni::new(tray);
    // Assume a panel is there: under a desktop without one (or before it starts) the service
    // still runs, and registers as soon as a panel appears.
    let handle = tray
        .rt
        .block_on(sni.assume_sni_available(true).spawn())
        .map_err(|e| format!("cannot show the tray icon on the session bus: {e}"))?;
    let _ = SERVICE.set((handle, tray.rt.clone()));
    tracing::info!("tray icon shown");
    Ok(())
}

fn update(f: impl FnOnce(&mut Sni) + Send + 'static) {
    let Some((handle, rt)) = SERVICE.get() else { return };
    let handle = handle.clone();
    rt.spawn(async move {
        handle.update(f).await;
    });
}

/// Bring the menu and icon in line with the current status, from any thread.
pub fn refresh(_tray: &Arc<Tray>) {
    update(Sni::read_status);
}

/// Keep the check mark in step when the setting changed in the window's Settings, from any thread.
pub fn set_autostart_checked(enabled: bool) {
    update(move |s| s.autostart = enabled);
}

/// Before the process ends: let the last click be answered, then leave the panel.
pub fn close(_tray: &Tray) {
    let Some((handle, rt)) = SERVICE.get() else { return };
    std::thread::sleep(ANSWER_GRACE);
    rt.block_on(handle.shutdown());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_underscore_in_a_name_is_shown_not_taken_for_a_mnemonic() {
        assert_eq!(mnemonic_free("Connected as tom_jerry"), "Connected as tom__jerry");
    }

    #[test]
    fn the_icon_goes_to_the_panel_as_argb_in_network_order() {
        let (rgba, w, h) = IconState::Idle.rgba().expect("the idle icon decodes");
        let icon = &pixmap(IconState::Idle)[0];
        assert_eq!((icon.width, icon.height), (w as i32, h as i32), "the pixmap keeps the icon's size");
        let first_opaque = rgba.chunks_exact(4).position(|p| p[3] > 0).expect("the icon has a visible pixel");
        let (src, out) = (&rgba[first_opaque * 4..][..4], &icon.data[first_opaque * 4..][..4]);
        assert_eq!(out, [src[3], src[0], src[1], src[2]], "each pixel must go as A, R, G, B");
    }
}
