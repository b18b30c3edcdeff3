//! Highlights from a Kobo to the Hardcover reading journal, through the same match, plan, outbox
//! and history as reading progress: sent once across syncs, an edited note updating its entry, and
//! an unplug in the middle of a sync losing nothing.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use hardcover_sync::config::{SourceKind, SyncConfig};
use hardcover_sync::hardcover::{HardcoverClient, StaticToken};
use hardcover_sync::sources::{self, Highlight, ProgressSource, SourceError, SourceItem, WriteBack};
use hardcover_sync::store::Store;
use hardcover_sync::sync::client_port::ClientPort;
use hardcover_sync::sync::matching::DEFAULT_THRESHOLD;
use hardcover_sync::sync::progress::Zone;
use hardcover_sync::sync::run::{SourcePolicy, SyncOptions, sync_once};
use hardcover_sync_emulators::devices::{KoboBook, KoboBookmark, KoboDrive};
use hardcover_sync_emulators::hardcover::state::{Edition, ReadingJournal};
use hardcover_sync_emulators::hardcover::{Limits, RunningHardcover};

use super::*;

const BOOK: &str = "0f5c7a52-2f1e-4c1b-9d1e-3a0d9f6b1c01";

/// A Kobo under `media/KOBOeReader` holding one book (the catalog edition's ISBN) with two
/// highlights, one with a note. Nothing is checkpointed: the rows live in the `-wal`, as on a
/// device unplugged soon after reading.
fn kobo(media: &Path, e: &Edition) -> KoboDrive {
    let d = KoboDrive::create(&media.join("KOBOeReader"), "N418000000001", "00000000-0000-0000-0000-000000000388")
        .expect("virtual Kobo");
    d.add_book(&KoboBook {
        content_id: BOOK.into(),
        title: "A book on the Kobo".into(),
        author: "An Author".into(),
        isbn: e.isbn_13.clone(),
        percent_read: 40,
        read_status: 1,
        date_last_read: Some("2026-11-20T21:00:00Z".into()),
        last_started: Some("2026-11-02T19:00:00Z".into()),
        ..KoboBook::default()
    })
    .expect("book row");
    let mark = |id: &str, text: &str, note: Option<&str>, created: &str| KoboBookmark {
        id: id.into(),
        volume_id: BOOK.into(),
        text: Some(text.into()),
        annotation: note.map(Into::into),
        created: created.into(),
        modified: None,
        kind: if note.is_some() { "note" } else { "highlight" }.into(),
        hidden: false,
    };
    d.add_bookmark(&mark("bm-1", "The orchard kept its lanterns lit.", None, "2026-11-03T20:01:02Z")).unwrap();
    d.add_bookmark(&mark("bm-2", "Every branch a small sun.", Some("Lovely image"), "2026-11-04T08:30:00Z")).unwrap();
    d
}

fn quotes(hc: &RunningHardcover, book_id: i64) -> Vec<ReadingJournal> {
    let user = hc.user_id("reader").unwrap();
    let db = hc.state().db();
    db.journals.values().filter(|j| j.user_id == user && j.book_id == book_id && j.event == "quote").cloned().collect()
}

#[tokio::test]
async fn highlights_sent_once_across_three_syncs_with_an_edit_in_between() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let e = editions(&hc, 1, paper).remove(0);
    let media = tempfile::tempdir().unwrap();
    let drive = kobo(media.path(), &e);
    let yaml = format!(
        "    sync:\n{TO_HARDCOVER_SETTLED}sources:\n  - kind: kobo\n    name: kobo\n    path: '{}'\n",
        drive.root.display()
    );
    let sb = crate::support::Sandbox::new(&hc, &yaml);
    assert!(sb.cli(&["connect", "--token", TOKEN]).await.0, "connecting with a personal token must work");
    let sync = || async {
        let (ok, out, err) = sb.cli(&["sync", "--json"]).await;
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("sync --json prints JSON ({e}): {out}"));
        assert!(ok && v["errors"] == 0, "the sync must succeed: {err}\n{v:#}");
        v
    };

    // The dry run shows the journal writes and sends none.
    let (ok, out, _) = sb.cli(&["sync", "--dry-run", "--json"]).await;
    assert!(ok, "a dry run succeeds: {out}");
    let dry: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(dry["highlights"], 2, "the dry run counts the highlights it would send: {dry:#}");
    assert!(
        item_of(&dry, BOOK)["reason"].as_str().is_some_and(|r| r.contains("2 highlights to add")),
        "the dry run says which journal writes it plans: {dry:#}"
    );
    assert!(quotes(&hc, e.book_id).is_empty(), "a dry run writes nothing to the journal");

    let first = sync().await;
    assert_eq!(first["highlights"], 2, "both highlights are sent: {first:#}");
    let sent = quotes(&hc, e.book_id);
    assert_eq!(sent.len(), 2, "one quote entry per highlight: {sent:#?}");
    let noted = sent.iter().find(|j| j.entry.as_deref().is_some_and(|t| t.starts_with("Every branch"))).unwrap();
    assert_eq!(
        noted.entry.as_deref(),
        Some("Every branch a small sun.\n\n---\n\nLovely image"),
        "a note follows its highlight after a separator line"
    );
    assert!(sent.iter().all(|j| j.privacy_setting_id == 3), "highlights are private by default: {sent:#?}");
    assert!(sent.iter().all(|j| j.edition_id == Some(e.id)), "entries are on the matched edition: {sent:#?}");
    let lit = sent.iter().find(|j| j.entry.as_deref() == Some("The orchard kept its lanterns lit.")).unwrap();
    assert!(lit.action_at.starts_with("2026-11-03"), "action_at is the day the highlight was made: {lit:#?}");

    let second = sync().await;
    assert_eq!(second["highlights"], 0, "nothing new on the device: nothing sent: {second:#}");
    assert_eq!(quotes(&hc, e.book_id).len(), 2, "a second sync never posts a highlight again");

    drive.edit_note("bm-1", "Read this aloud", "2026-11-29T10:00:00Z").unwrap();
    let third = sync().await;
    assert_eq!(third["highlights"], 1, "the edited highlight is updated: {third:#}");
    let after = quotes(&hc, e.book_id);
    assert_eq!(after.len(), 2, "an edited note updates its entry, never adds one: {after:#?}");
    let edited = after.iter().find(|j| j.id == lit.id).expect("the entry the highlight made is still there");
    assert_eq!(
        edited.entry.as_deref(),
        Some("The orchard kept its lanterns lit.\n\n---\n\nRead this aloud"),
        "the edit reaches the entry the highlight made"
    );
}

/// The Kobo source, with the device unplugged right after its library was copied and listed.
struct UnpluggedAfterList {
    inner: Box<dyn ProgressSource>,
    root: std::path::PathBuf,
}

#[async_trait]
impl ProgressSource for UnpluggedAfterList {
    fn name(&self) -> &str {
        self.inner.name()
    }
    async fn list(&self) -> Result<Vec<SourceItem>, SourceError> {
        let items = self.inner.list().await?;
        std::fs::remove_dir_all(&self.root).expect("unplugging removes the mount");
        Ok(items)
    }
    async fn write_back(&self, item_id: &str, update: &WriteBack) -> Result<(), SourceError> {
        self.inner.write_back(item_id, update).await
    }
    async fn highlights(&self) -> Result<Vec<Highlight>, SourceError> {
        self.inner.highlights().await
    }
}

#[tokio::test]
async fn an_unplug_during_sync_loses_nothing_and_writes_nothing_twice() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let e = editions(&hc, 1, paper).remove(0);
    let media = tempfile::tempdir().unwrap();
    let drive = kobo(media.path(), &e);
    let mut cfg = crate::sources::config(SourceKind::Kobo, "kobo", "file:///");
    cfg.path = Some(drive.root.clone());
    cfg.mark_owned = true;
    let store = Arc::new(Store::open_in_memory().unwrap());
    let build = || sources::build(&cfg, None, store.clone()).expect("the kobo source builds");
    let source: Arc<dyn ProgressSource> = Arc::new(UnpluggedAfterList { inner: build(), root: drive.root.clone() });
    let user = hc.user_id("reader").unwrap();
    let client =
        HardcoverClient::new(url::Url::parse(&hc.graphql_url()).unwrap(), Arc::new(StaticToken::new(TOKEN))).unwrap();
    let port = ClientPort::new(&client, user);
    let config = SyncConfig { direction: hardcover_sync::config::Direction::ToHardcover, ..SyncConfig::default() };
    let policies = SourcePolicy::of(std::slice::from_ref(&cfg));
    let opts = || SyncOptions {
        config: &config,
        zone: Zone::utc(),
        now: chrono::Utc::now(),
        budget: 10_000,
        dry_run: false,
        match_threshold: DEFAULT_THRESHOLD,
        policies: &policies,
        unavailable: &[],
    };
    drop(drive);

    let outcome = sync_once(&port, std::slice::from_ref(&source), &store, opts()).await.unwrap();
    assert_eq!(outcome.summary.errors, 0, "the copy was taken first: the unplug fails nothing: {:?}", outcome.summary);
    assert!(!media.path().join("KOBOeReader").exists(), "the device is gone during the sync");
    let progress = hc.state().db().user_book_for(user, e.book_id).map(|u| u.id);
    assert!(progress.is_some(), "the progress read before the unplug reaches Hardcover");
    assert_eq!(quotes(&hc, e.book_id).len(), 2, "the highlights read before the unplug reach the journal");
    let owned = |hc: &RunningHardcover| {
        let db = hc.state().db();
        let lists = db.lists_of(user);
        let owned = lists.iter().find(|l| l.name == "Owned").map(|l| l.id);
        owned.map(|id| db.list_books_of(id).iter().filter(|lb| lb.edition_id == Some(e.id)).count()).unwrap_or(0)
    };
    assert_eq!(owned(&hc), 1, "mark_owned puts the matched edition on the Owned list");
    assert!(store.outbox_open().unwrap().is_empty(), "the outbox finished every write");

    // Still unplugged: the source says so, and nothing is sent or deleted.
    let plain: Arc<dyn ProgressSource> = Arc::from(build());
    let again = sync_once(&port, std::slice::from_ref(&plain), &store, opts()).await.unwrap();
    assert_eq!(again.summary.errors, 1, "an absent device is reported: {:?}", again.summary);
    assert_eq!(quotes(&hc, e.book_id).len(), 2, "an absent device deletes no highlight");

    // Plugged in again: nothing is written twice.
    let media2 = tempfile::tempdir().unwrap();
    let back = kobo(media2.path(), &e);
    let mut cfg2 = cfg.clone();
    cfg2.path = Some(back.root.clone());
    let replugged: Arc<dyn ProgressSource> = Arc::from(sources::build(&cfg2, None, store.clone()).unwrap());
    let third = sync_once(&port, std::slice::from_ref(&replugged), &store, opts()).await.unwrap();
    assert_eq!(third.summary.errors, 0, "{:?}", third.summary);
    assert_eq!(quotes(&hc, e.book_id).len(), 2, "a highlight is never sent twice across an unplug");
    assert_eq!(owned(&hc), 1, "an edition is marked owned once");
    assert_eq!(third.summary.owned, 0, "marking owned is not asked again");
}

#[tokio::test]
async fn a_journal_entry_sent_before_a_crash_is_recorded_not_sent_again() {
    use hardcover_sync::config::JournalPrivacy;
    use hardcover_sync::sync::journal::quote_of;
    use hardcover_sync::sync::outbox::entries_for;
    use hardcover_sync::sync::plan::{Action, Effects, ItemPlan, Step};
    use hardcover_sync::sync::port::HardcoverPort;

    let hc = hardcover_with(Limits::unlimited()).await;
    let e = editions(&hc, 1, paper).remove(0);
    let media = tempfile::tempdir().unwrap();
    let drive = kobo(media.path(), &e);
    let mut cfg = crate::sources::config(SourceKind::Kobo, "kobo", "file:///");
    cfg.path = Some(drive.root.clone());
    let store = Arc::new(Store::open_in_memory().unwrap());
    let source: Arc<dyn ProgressSource> = Arc::from(sources::build(&cfg, None, store.clone()).unwrap());
    let user = hc.user_id("reader").unwrap();
    let client =
        HardcoverClient::new(url::Url::parse(&hc.graphql_url()).unwrap(), Arc::new(StaticToken::new(TOKEN))).unwrap();
    let port = ClientPort::new(&client, user);

    // A previous sync wrote the first highlight's entry to the outbox, sent it, and Hardcover
    // made it; the process died before the answer was recorded.
    source.list().await.unwrap();
    let first = source.highlights().await.unwrap().into_iter().find(|h| h.key == "bm-1").unwrap();
    let quote = quote_of(&first, e.book_id, Some(e.id), JournalPrivacy::Private, Zone::utc());
    let plan = ItemPlan {
        source: "kobo".into(),
        item_id: BOOK.into(),
        title: "A book on the Kobo".into(),
        book_id: Some(e.book_id),
        user_book_id: None,
        action: Action::Highlights,
        steps: vec![Step::Quote { quote: quote.clone(), journal_id: None }],
        skip: None,
        effects: Effects::default(),
        notes: Vec::new(),
        record: None,
    };
    let then = chrono::Utc::now() - chrono::TimeDelta::minutes(5);
    let ids = store.outbox_enqueue(&entries_for(&plan, None), then).unwrap();
    store.outbox_mark_sent(ids[0], then).unwrap();
    port.insert_journal(&quote.journal).await.expect("the entry reached Hardcover");

    let config = SyncConfig { direction: hardcover_sync::config::Direction::ToHardcover, ..SyncConfig::default() };
    let policies = SourcePolicy::of(std::slice::from_ref(&cfg));
    let opts = SyncOptions {
        config: &config,
        zone: Zone::utc(),
        now: chrono::Utc::now(),
        budget: 10_000,
        dry_run: false,
        match_threshold: DEFAULT_THRESHOLD,
        policies: &policies,
        unavailable: &[],
    };
    let outcome = sync_once(&port, std::slice::from_ref(&source), &store, opts).await.unwrap();
    assert_eq!(outcome.summary.errors, 0, "{:?}", outcome.summary);
    assert_eq!(outcome.summary.highlights, 1, "only the highlight that never reached Hardcover is sent");
    let sent = quotes(&hc, e.book_id);
    assert_eq!(sent.len(), 2, "the entry made before the crash is recognised, not posted again: {sent:#?}");
    assert!(store.outbox_open().unwrap().is_empty(), "recovery settled the unanswered write");
    let recorded = store.journal_of_item("kobo", BOOK).unwrap();
    assert_eq!(recorded.len(), 2, "both highlights are recorded with their entries: {recorded:#?}");
}

#[tokio::test]
async fn an_excluded_book_is_never_synced_until_included_again() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let e = editions(&hc, 1, paper).remove(0);
    let media = tempfile::tempdir().unwrap();
    let drive = kobo(media.path(), &e);
    let yaml = format!(
        "    sync:\n{TO_HARDCOVER_SETTLED}sources:\n  - kind: kobo\n    name: kobo\n    path: '{}'\n",
        drive.root.display()
    );
    let sb = crate::support::Sandbox::new(&hc, &yaml);
    assert!(sb.cli(&["connect", "--token", TOKEN]).await.0, "connecting with a personal token must work");
    let (ok, out, err) = sb.cli(&["exclude", "kobo", BOOK]).await;
    assert!(ok && out.contains("Excluded"), "exclude says what it did: {out}{err}");
    let (ok, out, err) = sb.cli(&["exclude", "kobble", BOOK]).await;
    assert!(!ok && err.contains("kobble"), "an unknown source is named: {out}{err}");
    let user = hc.user_id("reader").unwrap();
    for run in 1..=2 {
        let (ok, out, err) = sb.cli(&["sync", "--json"]).await;
        assert!(ok, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        let reason = item_of(&v, BOOK)["reason"].as_str().unwrap_or_default().to_owned();
        assert!(reason.contains("excluded"), "run {run}: the summary says the book is excluded: {v:#}");
        assert!(hc.state().db().user_book_for(user, e.book_id).is_none(), "run {run}: an excluded book is not sent");
        assert!(quotes(&hc, e.book_id).is_empty(), "run {run}: nor its highlights");
    }
    let (ok, out, err) = sb.cli(&["include", "kobo", BOOK]).await;
    assert!(ok, "include works: {out}{err}");
    let (ok, out, err) = sb.cli(&["exclude", "--highlights", "kobo", BOOK]).await;
    assert!(ok && out.contains("highlights are not sent"), "a book's highlights can be held back alone: {out}{err}");
    let (ok, _, err) = sb.cli(&["sync", "--json"]).await;
    assert!(ok, "{err}");
    assert!(hc.state().db().user_book_for(user, e.book_id).is_some(), "an included book syncs again");
    assert!(quotes(&hc, e.book_id).is_empty(), "\"don't send highlights\" keeps its highlights back");
    let (ok, out, err) = sb.cli(&["include", "--highlights", "kobo", BOOK]).await;
    assert!(ok, "{out}{err}");
    let (ok, _, err) = sb.cli(&["sync", "--json"]).await;
    assert!(ok, "{err}");
    assert_eq!(quotes(&hc, e.book_id).len(), 2, "sent again once allowed");
}

#[tokio::test]
async fn a_device_first_seen_is_only_planned_until_its_first_sync_is_confirmed() {
    use hardcover_sync::app::App;
    use hardcover_sync::config::Config;
    use hardcover_sync::paths::AppPaths;
    use hardcover_sync::sources::device;
    use hardcover_sync::sync::summary::ItemResult;

    let hc = hardcover_with(Limits::unlimited()).await;
    let e = editions(&hc, 1, paper).remove(0);
    let media = tempfile::tempdir().unwrap();
    let drive = kobo(media.path(), &e);
    let yaml = format!(
        "    sync:\n{TO_HARDCOVER_SETTLED}sources:\n  - kind: kobo\n    name: kobo\n    path: '{}'\n",
        drive.root.display()
    );
    let sb = crate::support::Sandbox::new(&hc, &yaml);
    assert!(sb.cli(&["connect", "--token", TOKEN]).await.0, "connecting with a personal token must work");
    let app = App::open(AppPaths::under(sb.config.clone(), &sb.data), Config::load(&sb.config).unwrap()).unwrap();
    let user = hc.user_id("reader").unwrap();

    // The tray saw it plugged in: a new device, not confirmed.
    let plugged = device::identify(&drive.root).expect("the virtual drive is a Kobo");
    let seen = app.device_plugged(&plugged).unwrap();
    assert!(!seen.confirmed && seen.connected, "a device first seen waits for the user: {seen:?}");
    assert_eq!(app.sources_of_device(&plugged), vec!["kobo".to_owned()], "the kobo source reads it");

    let held = app.sync(false).await.unwrap();
    assert!(hc.state().db().user_book_for(user, e.book_id).is_none(), "nothing is sent before the user confirms");
    assert!(quotes(&hc, e.book_id).is_empty(), "no highlight either");
    let note = held.summary.items.iter().find(|i| i.source == "kobo").and_then(|i| i.reason.clone());
    assert!(note.is_some_and(|r| r.contains("confirm its first sync")), "the run says why: {:?}", held.summary);

    let plan = app.sync(true).await.unwrap();
    let planned = plan.summary.items.iter().filter(|i| i.source == "kobo" && i.result == ItemResult::Planned).count();
    assert_eq!(planned, 1, "the first plan lists what would change on Hardcover: {:?}", plan.summary);

    assert!(app.confirm_device(&plugged.id, false).unwrap());
    let synced = app.sync(false).await.unwrap();
    assert_eq!(synced.summary.errors, 0, "{:?}", synced.summary);
    assert!(hc.state().db().user_book_for(user, e.book_id).is_some(), "confirmed: the reading is sent");
    assert_eq!(quotes(&hc, e.book_id).len(), 2, "and the highlights");
    let known = app.devices().unwrap();
    assert_eq!(known[0].books, Some(1), "the device's book count is kept for Settings: {known:?}");
    assert_eq!(known[0].sources, vec!["kobo".to_owned()], "Settings says which source reads it");

    // Unplugged: not a failure, nothing sent, nothing deleted.
    drop(drive);
    std::fs::remove_dir_all(media.path().join("KOBOeReader")).unwrap();
    app.devices_plugged_only(&[]).unwrap();
    let away = app.sync(false).await.unwrap();
    assert_eq!(away.summary.errors, 0, "an e-reader that is not plugged in is not an error: {:?}", away.summary);
    assert_eq!(quotes(&hc, e.book_id).len(), 2, "an unplugged device deletes no highlight");
    assert!(!app.devices().unwrap()[0].connected, "Settings shows it unplugged, with when it was last seen");
    assert!(app.forget_device(&plugged.id).unwrap(), "a device can be forgotten");
    assert!(app.devices().unwrap().is_empty());
}
