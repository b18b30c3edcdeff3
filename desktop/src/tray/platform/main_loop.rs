//! Linux: GTK's main loop.

pub fn init() -> Result<(), String> {
    gtk::init().map_err(|e| format!("{e} (is there a desktop session? DISPLAY is not usable)"))
}

/// Runs until [`quit`].
pub fn run() {
    gtk::main();
}

/// From the main thread (menu handlers run there).
pub fn quit() {
    gtk::main_quit();
}

/// Run `f` on the main thread, from any thread.
pub fn on_main_thread(f: impl FnOnce() + Send + 'static) {
    gtk::glib::MainContext::default().invoke(f);
}

/// The panel's "clicked" call for Quit is answered on the shared session-bus connection
/// (libdbusmenu's), from a worker thread: send the answer before exiting, or the panel sees us
/// leave the bus without replying.
pub fn before_exit() {
    if let Ok(bus) = gtk::gio::bus_get_sync(gtk::gio::BusType::Session, None::<&gtk::gio::Cancellable>)
        && let Err(e) = bus.flush_sync(None::<&gtk::gio::Cancellable>)
    {
        tracing::debug!("cannot flush the session bus: {e}");
    }
}
