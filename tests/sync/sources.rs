//! Two reading servers in one sync (Audiobookshelf and Komga), and a source that carries ratings.

use std::sync::Arc;

use async_trait::async_trait;
use hardcover_sync::config::{SourceKind, SyncConfig};
use hardcover_sync::hardcover::{HardcoverClient, StaticToken};
use hardcover_sync::secret::Secret;
use hardcover_sync::sources::{self, ProgressSource, SourceError, SourceItem, WriteBack};
use hardcover_sync::store::Store;
use hardcover_sync::sync::client_port::ClientPort;
use hardcover_sync::sync::matching::DEFAULT_THRESHOLD;
use hardcover_sync::sync::progress::Zone;
use hardcover_sync::sync::run::{SyncOptions, sync_once};
use hardcover_sync_emulators::hardcover::Limits;
use hardcover_sync_emulators::hardcover::state::{UserBook, status};
use hardcover_sync_emulators::komga::KomgaEmulator;

use super::rules::open_read;
use super::*;

#[tokio::test]
async fn komga_pages_and_audiobookshelf_seconds_in_one_sync_each_in_the_editions_unit() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let a = editions(&hc, 1, audio).remove(0);
    let t = editions(&hc, 1, paper).remove(0);
    // Komga counts its own pages (200); Hardcover's edition has another count.
    let mut comic = source_book(&hc, &t, 0.25, "2026-10-01");
    comic.pages = 200;
    let komga = KomgaEmulator::builder().books(vec![comic]).start().await.unwrap();
    let abs = AbsEmulator::builder().books(vec![source_book(&hc, &a, 0.5, "2026-10-01")]).start().await.unwrap();
    let yaml = format!(
        "    sync:\n{TO_HARDCOVER}sources:\n  - kind: audiobookshelf\n    name: abs\n    url: {}\n    api_key: abs-test-key\n  - kind: komga\n    name: komga\n    url: {}\n    api_key: komga-test-key\n",
        abs.base_url(),
        komga.base_url()
    );
    let sb = crate::support::Sandbox::new(&hc, &yaml);
    assert!(sb.cli(&["connect", "--token", TOKEN]).await.0);
    let (ok, out, err) = sb.cli(&["sync", "--json"]).await;
    assert!(ok, "a sync of two sources must succeed: {err}\n{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["added"], 2, "one book from each source: {v:#}");
    let user = hc.user_id("reader").unwrap();
    let db = hc.state().db();
    let read = |book: i64| db.latest_read(db.user_book_for(user, book).unwrap().id).unwrap().clone();
    let pages = t.pages.unwrap();
    assert_eq!(
        read(t.book_id).progress_pages,
        Some((0.25 * pages as f64).round() as i64),
        "Komga's 50 of 200 pages must reach Hardcover as 25% of the edition's {pages} pages"
    );
    let secs = read(a.book_id).progress_seconds.expect("audio progress in seconds");
    let want = (0.5 * a.audio_seconds.unwrap() as f64).round() as i64;
    assert!((secs - want).abs() <= 2, "Audiobookshelf's 50% must reach Hardcover in seconds: {secs} vs {want}");
}

/// A reading server that has ratings (the emulated ones have none): the wrapped source's items,
/// finished ones rated `rating`.
struct Rated {
    inner: Box<dyn ProgressSource>,
    rating: f64,
}

#[async_trait]
impl ProgressSource for Rated {
    fn name(&self) -> &str {
        self.inner.name()
    }
    async fn list(&self) -> Result<Vec<SourceItem>, SourceError> {
        let mut items = self.inner.list().await?;
        for i in items.iter_mut().filter(|i| i.is_finished) {
            i.rating = Some(self.rating);
        }
        Ok(items)
    }
    async fn write_back(&self, item_id: &str, update: &WriteBack) -> Result<(), SourceError> {
        self.inner.write_back(item_id, update).await
    }
}

#[tokio::test]
async fn rating_on_finish_in_halves_and_over_the_users_rating_only_when_configured() {
    let hc = hardcover_with(Limits::unlimited()).await;
    let t = editions(&hc, 2, paper);
    let user = hc.user_id("reader").unwrap();
    {
        // The second book is on the shelf, rated 4.5 by the user.
        let mut db = hc.state().db();
        let ub = db.add_user_book(UserBook {
            id: 0,
            user_id: user,
            book_id: t[1].book_id,
            edition_id: Some(t[1].id),
            status_id: status::CURRENTLY_READING,
            rating: Some(4.5),
            privacy_setting_id: 1,
            owned: false,
            private_notes: None,
            review_raw: None,
            date_added: day("2026-04-01"),
            created_at: "2026-04-01T12:00:00+00:00".into(),
            updated_at: "2026-04-01T12:00:00+00:00".into(),
            first_started_reading_date: None,
        });
        db.add_read(open_read(ub, t[1].id, "2026-04-01", 10));
    }
    let books = t.iter().map(|e| finished_book(&hc, e, "2026-04-01", "2026-04-30")).collect();
    let abs = AbsEmulator::builder().books(books).start().await.unwrap();
    let cfg = hardcover_sync::config::SourceConfig {
        kind: SourceKind::Audiobookshelf,
        name: "abs".into(),
        url: url::Url::parse(&abs.base_url()).unwrap(),
        api_key: None,
        username: None,
        password: None,
        library: Vec::new(),
        path: None,
        journal: None,
        mark_owned: false,
        enabled: true,
    };
    let store = Arc::new(Store::open_in_memory().unwrap());
    let inner = sources::build(&cfg, Some(Secret::new("abs-test-key")), store.clone()).unwrap();
    let source: Arc<dyn ProgressSource> = Arc::new(Rated { inner, rating: 2.2 });
    let client =
        HardcoverClient::new(url::Url::parse(&hc.graphql_url()).unwrap(), Arc::new(StaticToken::new(TOKEN))).unwrap();
    let port = ClientPort::new(&client, user);
    let keep = SyncConfig { direction: hardcover_sync::config::Direction::ToHardcover, ..SyncConfig::default() };
    let outcome = sync_once(&port, std::slice::from_ref(&source), &store, run(&keep)).await.unwrap();
    assert_eq!(outcome.summary.errors, 0, "{:?}", outcome.summary);
    let rating = |book: i64| hc.state().db().user_book_for(user, book).unwrap().rating;
    assert_eq!(rating(t[0].book_id), Some(2.0), "a rating is sent on finish, rounded to halves (2.2 → 2.0)");
    assert_eq!(rating(t[1].book_id), Some(4.5), "the user's own rating stays while overwrite_ratings is off");
    let note = outcome.summary.items.iter().find_map(|i| i.reason.clone().filter(|r| r.contains("kept your")));
    assert!(note.is_some(), "keeping the user's rating must be said: {:?}", outcome.summary.items);

    // The user asks for the source's ratings to win: the next change of that item sends it.
    let overwrite = SyncConfig { overwrite_ratings: true, ..keep.clone() };
    store.item_state_delete("abs", &World::item(1)).unwrap();
    let outcome = sync_once(&port, std::slice::from_ref(&source), &store, run(&overwrite)).await.unwrap();
    assert_eq!(outcome.summary.errors, 0, "{:?}", outcome.summary);
    assert_eq!(rating(t[1].book_id), Some(2.0), "with overwrite_ratings the source's rating replaces the user's");
    let db = hc.state().db();
    let reads = db.reads_of(db.user_book_for(user, t[1].book_id).unwrap().id).len();
    assert_eq!(reads, 1, "a rating change adds no read");
}

fn run(config: &SyncConfig) -> SyncOptions<'_> {
    SyncOptions {
        config,
        zone: Zone::utc(),
        now: chrono::Utc::now(),
        budget: 10_000,
        dry_run: false,
        match_threshold: DEFAULT_THRESHOLD,
        policies: &[],
        unavailable: &[],
    }
}
