//! Linux: the main thread waits for work and for Quit. The tray itself is a D-Bus service on the
//! async runtime (`menu::sni`), so no toolkit loop is needed; menu actions still run here, off
//! the runtime, as they did on GTK's loop (some block: opening the browser, the keyring).

use std::cell::RefCell;
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, Sender, channel};

type Job = Box<dyn FnOnce() + Send>;

enum Message {
    Run(Job),
    Quit,
}

thread_local! {
    /// Made by `init` on the thread that then calls `run`.
    static INBOX: RefCell<Option<Receiver<Message>>> = const { RefCell::new(None) };
}
static OUTBOX: OnceLock<Sender<Message>> = OnceLock::new();

pub fn init() -> Result<(), String> {
    let (tx, rx) = channel();
    OUTBOX.set(tx).map_err(|_| "the tray's loop was set up twice".to_owned())?;
    INBOX.with(|i| *i.borrow_mut() = Some(rx));
    Ok(())
}

/// Runs until [`quit`].
pub fn run() {
    let Some(inbox) = INBOX.with(|i| i.borrow_mut().take()) else {
        tracing::error!("the tray's loop was run before it was set up");
        return;
    };
    while let Ok(message) = inbox.recv() {
        match message {
            Message::Run(job) => job(),
            Message::Quit => break,
        }
    }
}

fn send(message: Message) {
    if OUTBOX.get().is_none_or(|o| o.send(message).is_err()) {
        tracing::debug!("the tray's loop has ended");
    }
}

/// From any thread.
pub fn quit() {
    send(Message::Quit);
}

/// Run `f` on the loop's thread, from any thread.
pub fn on_main_thread(f: impl FnOnce() + Send + 'static) {
    send(Message::Run(Box::new(f)));
}
