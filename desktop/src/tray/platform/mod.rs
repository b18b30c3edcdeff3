//! The tray's UI thread, per OS: start it, run its loop, run work on it, end it.
//!
//! tray-icon's objects live on the thread that runs the OS's loop, and its menu events are
//! delivered there. Linux: GTK's main loop (the AppIndicator backend). Windows: tao's Win32
//! message loop (the Shell_NotifyIcon backend); a hand-written GetMessage loop would need
//! `unsafe`, which this workspace forbids.

#[cfg(target_os = "linux")]
mod gtk_loop;
#[cfg(target_os = "linux")]
pub use gtk_loop::{before_exit, init, on_main_thread, quit, run};

#[cfg(windows)]
mod win32_loop;
#[cfg(windows)]
pub use win32_loop::{before_exit, init, on_main_thread, quit, run};
