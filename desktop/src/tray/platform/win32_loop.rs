//! Windows: tao's event loop, which runs the thread's Win32 message loop (tray-icon's hidden
//! window and its menu are served by it). Other threads reach it through the loop's proxy.

use std::cell::RefCell;
use std::sync::{Mutex, OnceLock};

use tao::event::Event;
use tao::event_loop::{ControlFlow, EventLoop, EventLoopBuilder, EventLoopProxy};
use tao::platform::run_return::EventLoopExtRunReturn;

type Job = Box<dyn FnOnce() + Send>;

enum Message {
    Run(Job),
    Quit,
}

thread_local! {
    /// Built by `init` on the thread that then calls `run`.
    static LOOP: RefCell<Option<EventLoop<Message>>> = const { RefCell::new(None) };
}
static PROXY: OnceLock<Mutex<EventLoopProxy<Message>>> = OnceLock::new();

pub fn init() -> Result<(), String> {
    let event_loop = EventLoopBuilder::<Message>::with_user_event().build();
    let _ = PROXY.set(Mutex::new(event_loop.create_proxy()));
    LOOP.with(|l| *l.borrow_mut() = Some(event_loop));
    Ok(())
}

/// Runs until [`quit`].
pub fn run() {
    let Some(mut event_loop) = LOOP.with(|l| l.borrow_mut().take()) else {
        tracing::error!("the tray's loop was run before it was set up");
        return;
    };
    event_loop.run_return(|event, _, control_flow| {
        *control_flow = ControlFlow::Wait;
        match event {
            Event::UserEvent(Message::Run(job)) => job(),
            Event::UserEvent(Message::Quit) => *control_flow = ControlFlow::Exit,
            _ => {}
        }
    });
}

fn send(message: Message) {
    let Some(proxy) = PROXY.get() else { return };
    if proxy.lock().unwrap_or_else(|p| p.into_inner()).send_event(message).is_err() {
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
