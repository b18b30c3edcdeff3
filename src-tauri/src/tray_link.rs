//! The window process's end of the link (`hardcover_sync_desktop::link`): calls to the tray on
//! stdout, the tray's news on stdin.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::oneshot;

use hardcover_sync_desktop::link::{Call, ToTray, ToWindow, decode, encode, reply_value};

use crate::error::{IpcError, IpcResult};
use hardcover_sync::app::status::SyncStatus;
use hardcover_sync::sync::report::RunSummary;

use crate::events;
use crate::state::AppState;
use crate::window;

type Reply = Result<serde_json::Value, IpcError>;
type Writer = Box<dyn Fn(&str) -> std::io::Result<()> + Send + Sync>;

pub struct TrayLink {
    write: Writer,
    next_id: AtomicU64,
    waiting: Mutex<HashMap<u64, oneshot::Sender<Reply>>>,
}

impl TrayLink {
    /// The link over this process's stdout (the tray reads it).
    pub fn over_stdout() -> Self {
        Self::with_writer(Box::new(|line| {
            let mut out = std::io::stdout().lock();
            out.write_all(line.as_bytes())?;
            out.flush()
        }))
    }

    pub(crate) fn with_writer(write: Writer) -> Self {
        Self { write, next_id: AtomicU64::new(1), waiting: Mutex::new(HashMap::new()) }
    }

    pub async fn sync_now(&self) -> IpcResult<RunSummary> {
        self.call(Call::SyncNow).await
    }

    pub async fn set_paused(&self, paused: bool) -> IpcResult<SyncStatus> {
        self.call(Call::SetPaused { paused }).await
    }

    /// The connection or the settings changed here: the tray must read them again.
    pub fn tell_reload(&self) {
        if let Err(e) = (self.write)(&encode(&ToTray::Reload)) {
            tracing::warn!("cannot tell the tray process to reload: {e}");
        }
    }

    async fn call<T: DeserializeOwned>(&self, call: Call) -> IpcResult<T> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.waiting.lock().unwrap_or_else(|p| p.into_inner()).insert(id, tx);
        if let Err(e) = (self.write)(&encode(&ToTray::Call { id, call })) {
            self.waiting.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
            return Err(IpcError::internal(format!("cannot reach the tray process ({e}); restart Hardcover Sync")));
        }
        let reply = rx.await.map_err(|_| IpcError::internal("the tray process quit before answering"))?;
        reply_value(reply)
    }

    /// The window is closing: the tray must not send it more opens.
    pub fn tell_closing(&self) {
        if let Err(e) = (self.write)(&encode(&ToTray::Closing)) {
            tracing::debug!("cannot tell the tray process the window is closing: {e}");
        }
    }

    /// Hand a reply to the call waiting for it.
    fn answer(&self, id: u64, result: Reply) {
        match self.waiting.lock().unwrap_or_else(|p| p.into_inner()).remove(&id) {
            Some(tx) => {
                let _ = tx.send(result);
            }
            None => tracing::warn!(id, "a reply from the tray process that nothing waits for"),
        }
    }

    /// The tray is gone: every call still waiting fails (their senders drop).
    fn abandon_all(&self) {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// The connection or the settings changed here: the tray reads both again (it caches the
/// sign-in and runs the scheduler on the settings).
pub fn changed_here<R: Runtime>(app: &AppHandle<R>) {
    if let Some(tray) = app.try_state::<AppState>().and_then(|s| s.tray.clone()) {
        tray.tell_reload();
    }
}

/// Read the tray's messages from stdin until it closes, then quit: a window without its tray
/// could not sync, and the tray's Quit must take the window along.
pub fn listen<R: Runtime>(app: AppHandle<R>, link: Arc<TrayLink>) {
    let spawned = std::thread::Builder::new().name("tray-link".into()).spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            match decode::<ToWindow>(&line) {
                Some(Ok(msg)) => handle(&app, &link, msg),
                Some(Err(e)) => tracing::error!("{e}"),
                None => {}
            }
        }
        tracing::info!("the tray process closed the link; closing the window");
        link.abandon_all();
        app.exit(0);
    });
    if let Err(e) = spawned {
        tracing::error!("cannot listen to the tray process: {e}");
    }
}

/// One message from the tray.
pub(crate) fn handle<R: Runtime>(app: &AppHandle<R>, link: &TrayLink, msg: ToWindow) {
    let Some(state) = app.try_state::<AppState>() else { return };
    match msg {
        ToWindow::Reply { id, result } => link.answer(id, result),
        ToWindow::Sync { sync } => state.core.adopt_tray_sync(sync),
        ToWindow::Progress { progress } => state.core.adopt_tray_progress(progress),
        ToWindow::SyncFinished { summary } => {
            let _ = app.emit(events::SYNC_FINISHED, summary);
        }
        ToWindow::ConnectResult { result } => {
            let _ = app.emit(events::CONNECT_RESULT, result);
        }
        ToWindow::Reload => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move { app.state::<AppState>().core.reload().await });
        }
        ToWindow::Open { route, asked_at_ms } => {
            // Shown now, asked for then: a window started ahead must leave "not yet" here, or its
            // library refresh (`until_shown`) would wait for ever.
            if let Some(opened) = app.try_state::<window::OpenedAt>() {
                opened.asked(asked_at_ms.map_or_else(std::time::SystemTime::now, window::unix_ms));
            }
            if let Err(e) = window::open(app, route) {
                tracing::error!("cannot show the window: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn recording_link() -> (Arc<TrayLink>, Arc<Mutex<Vec<String>>>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        let link = TrayLink::with_writer(Box::new(move |l| {
            sink.lock().unwrap().push(l.to_owned());
            Ok(())
        }));
        (Arc::new(link), lines)
    }

    fn sent(lines: &Mutex<Vec<String>>) -> Vec<ToTray> {
        lines.lock().unwrap().iter().map(|l| decode(l).expect("our line").expect("readable")).collect()
    }

    #[tokio::test]
    async fn a_call_waits_for_the_reply_with_its_own_id() {
        let (link, lines) = recording_link();
        let first = tokio::spawn({
            let link = Arc::clone(&link);
            async move { link.sync_now().await }
        });
        let second = tokio::spawn({
            let link = Arc::clone(&link);
            async move { link.set_paused(true).await }
        });
        while lines.lock().unwrap().len() < 2 {
            tokio::task::yield_now().await;
        }
        let ids: HashMap<bool, u64> = sent(&lines)
            .into_iter()
            .map(|m| match m {
                ToTray::Call { id, call } => (call == Call::SyncNow, id),
                other => panic!("only calls were made: {other:?}"),
            })
            .collect();
        assert_ne!(ids[&true], ids[&false], "each call needs its own id");
        // Answered out of order: each reply must reach its own caller.
        link.answer(ids[&false], Err(IpcError::new(ErrorCode::Busy, "paused elsewhere")));
        let summary = RunSummary { run_id: 9, finished: 1, ..Default::default() };
        link.answer(ids[&true], Ok(serde_json::to_value(&summary).unwrap()));
        assert_eq!(first.await.unwrap(), Ok(summary), "the sync's caller gets the run the tray made");
        assert_eq!(second.await.unwrap().unwrap_err().code, ErrorCode::Busy, "the pause's caller gets its own error");
    }

    #[tokio::test]
    async fn calls_fail_with_a_message_when_the_tray_is_gone() {
        let (link, lines) = recording_link();
        let waiting = tokio::spawn({
            let link = Arc::clone(&link);
            async move { link.sync_now().await }
        });
        while lines.lock().unwrap().is_empty() {
            tokio::task::yield_now().await;
        }
        link.abandon_all();
        let err = waiting.await.unwrap().unwrap_err();
        assert!(err.message.contains("tray process quit"), "a call must not hang when the tray quits: {err:?}");

        let broken = TrayLink::with_writer(Box::new(|_| Err(std::io::ErrorKind::BrokenPipe.into())));
        let err = broken.sync_now().await.unwrap_err();
        assert!(err.message.contains("cannot reach the tray process"), "{err:?}");
        assert!(broken.waiting.lock().unwrap().is_empty(), "a call that could not be sent must not stay waiting");
    }
}
