//! The tray's UI thread, per OS: start it, run its loop, run work on it, end it.
//!
//! Menu actions run on the main thread, off the async runtime. Linux: a plain loop over a
//! channel (the tray is a D-Bus service, `menu::sni`). Windows: tao's Win32 message loop, which
//! tray-icon's objects need (the Shell_NotifyIcon backend delivers its menu events there); a
//! hand-written GetMessage loop would need `unsafe`, which this workspace forbids.

#[cfg(target_os = "linux")]
mod main_loop;
#[cfg(target_os = "linux")]
pub use main_loop::{init, on_main_thread, quit, run};

#[cfg(windows)]
mod win32_loop;
#[cfg(windows)]
pub use win32_loop::{init, on_main_thread, quit, run};
