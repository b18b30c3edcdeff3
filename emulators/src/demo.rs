//! Demo mode: a Hardcover (GraphQL + OAuth) with a seeded library and an Audiobookshelf whose
//! items are books of that catalog, so every feature can be tried without an account.
//!
//! Used by the desktop app's `--demo`, by the `hardcover-sync-emulator demo` binary, and by tests.

use std::path::Path;

use crate::audiobookshelf::AbsEmulator;
use crate::hardcover::{ALL_SCOPES, HardcoverEmulator, Limits, RunningHardcover, SeedSpec, TokenRegistry};
use crate::oauth::{self, Client, OAuthState};
use crate::seed::{BASE_MS, SeedBook};

pub const DEMO_CLIENT_ID: &str = "hardcover-sync-demo";
pub const DEMO_USER: &str = "demo-reader";
pub const DEMO_ABS_KEY: &str = "demo-abs-api-key";
/// A personal token the demo Hardcover also accepts (for `connect --token` and scripts).
pub const DEMO_TOKEN: &str = "hc_pat_demo_token";

#[derive(Debug, Clone)]
pub struct DemoSpec {
    /// Books in the Hardcover catalog.
    pub books: usize,
    /// Share of the catalog on the demo user's shelves (0.6: the rest is there to be found, added
    /// and linked; 1.0 for a library of exactly `books` books, as the benchmarks want).
    pub shelf_share: f64,
    /// Items on the Audiobookshelf, taken from the catalog.
    pub abs_items: usize,
    pub seed: u64,
}

impl Default for DemoSpec {
    fn default() -> Self {
        Self { books: 300, shelf_share: 0.6, abs_items: 24, seed: 7 }
    }
}

pub struct DemoServers {
    pub hardcover: RunningHardcover,
    pub oauth: OAuthState,
    pub abs: AbsEmulator,
}

/// The demo's Hardcover builder. Its seeded ids and shelves are deterministic, so a state built
/// from it without serving it ([`catalog`]) holds exactly what [`start`] serves.
fn hardcover_builder(spec: &DemoSpec, registry: TokenRegistry) -> crate::hardcover::HardcoverBuilder {
    HardcoverEmulator::builder()
        .library(SeedSpec { books: spec.books, seed: spec.seed, shelf_share: spec.shelf_share, ..SeedSpec::default() })
        .user(DEMO_USER)
        .personal_token(DEMO_TOKEN, ALL_SCOPES)
        // A demo is for trying features, not for waiting on a free plan's 60 requests a minute (the
        // five-fields-per-operation rule still holds).
        .limits(Limits::unlimited())
        .token_registry(registry)
}

/// The demo's Hardcover as [`start`] seeds it, not served: for reading its ids and shelves.
pub fn catalog(spec: &DemoSpec) -> crate::hardcover::HardcoverState {
    hardcover_builder(spec, TokenRegistry::default()).build_state()
}

/// Every item of the demo's Audiobookshelf: catalog books in progress or finished, the two the
/// Currently Reading threshold decides about, and two left for the user to link.
pub fn abs_items(db: &crate::hardcover::state::Db, spec: &DemoSpec) -> Vec<SeedBook> {
    let mut books = abs_books_from_catalog(db, spec.abs_items);
    books.extend(threshold_books(db, spec));
    books.extend(unmatched_abs_books(db, 2));
    books
}

/// Start the demo servers on random loopback ports.
pub async fn start(spec: &DemoSpec) -> std::io::Result<DemoServers> {
    let registry = TokenRegistry::default();
    let builder = hardcover_builder(spec, registry.clone());
    // The seeded ids are deterministic: a dry build tells the OAuth server whom to approve as.
    let probe = builder.build_state();
    let (user_id, books) = {
        let db = probe.db();
        let user_id = db.user_by_name(DEMO_USER).expect("the demo user is seeded").id;
        (user_id, abs_items(&db, spec))
    };
    let clients = vec![Client {
        client_id: DEMO_CLIENT_ID.into(),
        // Any loopback port may be used with this path (RFC 8252 §7.3).
        redirect_uris: vec!["http://127.0.0.1/callback".into()],
    }];
    let oauth = OAuthState::new(registry, clients, user_id);
    let hardcover = builder.extra_routes(oauth::router(oauth.clone())).start().await?;
    let abs = AbsEmulator::builder().api_key(DEMO_ABS_KEY).books(books).start().await?;
    Ok(DemoServers { hardcover, oauth, abs })
}

impl DemoServers {
    /// A config for the app pointing at these servers, with the file token store (the demo must
    /// never touch the user's real keyring entry).
    pub fn config_yaml(&self) -> String {
        let hc = self.hardcover.base_url();
        format!(
            "# Demo mode: every URL here is a local emulator.\n\
             scrobbling:\n  hardcover:\n    client_id: {DEMO_CLIENT_ID}\n    api_url: {hc}/v1/graphql\n\
             \x20   oauth:\n      authorize_url: {hc}/oauth2/authorize\n      token_url: {hc}/oauth2/token\n\
             \x20     revoke_url: {hc}/oauth2/revoke\n      device_url: {hc}/oauth2/device\n\
             \x20   token_store: file\n    sync:\n      interval: 30m\n      direction: to_hardcover\n\
             sources:\n  - kind: audiobookshelf\n    name: demo-audiobookshelf\n    url: {abs}\n    api_key: {DEMO_ABS_KEY}\n",
            abs = self.abs.base_url(),
        )
    }

    pub fn write_config(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, self.config_yaml())
    }
}

/// Audiobookshelf items for `n` catalog books: audiobooks (by the ASIN of an audio edition) and
/// ebooks (by the ISBN-13 of an ebook edition), some finished, some in progress, some the user
/// already has on Hardcover and some new.
///
/// Each item is a catalog edition in the item's own format, so the app shows an ebook item as an
/// ebook, not as the printed edition that shares its book. A book already on the user's shelf is
/// used only when the user's edition is in the item's format too: the sync rightly never switches
/// the user's edition, and a demo where every other ebook shows as "Physical" looks like a bug.
pub fn abs_books_from_catalog(db: &crate::hardcover::state::Db, n: usize) -> Vec<SeedBook> {
    use crate::hardcover::state::format;
    let mut out = Vec::new();
    for (i, book) in db.books.values().enumerate() {
        if out.len() >= n {
            break;
        }
        let editions = db.editions_of(book.id);
        let audio = i % 2 == 0;
        let edition = if audio {
            editions
                .iter()
                .find(|e| e.reading_format_id == format::AUDIO && e.asin.is_some() && e.audio_seconds.is_some())
        } else {
            editions.iter().find(|e| e.reading_format_id == format::EBOOK && e.isbn_13.is_some() && e.pages.is_some())
        };
        let Some(e) = edition else { continue };
        let shelved = db.user_books.values().find(|u| u.book_id == book.id);
        if let Some(u) = shelved {
            let users_format = u.edition_id.and_then(|id| db.editions.get(&id)).map(|ed| ed.reading_format_id);
            if users_format != Some(e.reading_format_id) {
                continue;
            }
        }
        let author =
            book.author_ids.first().and_then(|a| db.authors.get(a)).map(|a| a.name.clone()).unwrap_or_default();
        let k = out.len() as i64;
        let finished = k % 4 == 3;
        let fraction = if finished { 1.0 } else { 0.05 + (k % 9) as f64 / 10.0 };
        let started_ms = BASE_MS + k * 5 * 86_400_000;
        let updated_ms = started_ms + (k % 5 + 1) * 86_400_000;
        out.push(SeedBook {
            title: book.title.clone(),
            subtitle: None,
            author,
            isbn: if audio { None } else { e.isbn_13.clone() },
            asin: if audio { e.asin.clone() } else { None },
            audio,
            fraction,
            finished,
            duration_secs: e.audio_seconds.unwrap_or(0) as f64,
            pages: e.pages.unwrap_or(0) as u32,
            started_ms,
            updated_ms,
            finished_ms: finished.then_some(updated_ms),
        });
    }
    out
}

/// The share of a book the two threshold items have read: one under a 5 % threshold (it must stay
/// on Want to Read) and one over it (it moves to Currently Reading).
pub const THRESHOLD_FRACTIONS: [f64; 2] = [0.03, 0.12];

/// Two Audiobookshelf items, at [`THRESHOLD_FRACTIONS`], of books the demo user has on Want to
/// Read in the item's format (the user's own edition), apart from the other items: what the
/// Currently Reading threshold in Settings decides about.
pub fn threshold_books(db: &crate::hardcover::state::Db, spec: &DemoSpec) -> Vec<SeedBook> {
    use crate::hardcover::state::{format, status};
    let taken: Vec<String> = abs_books_from_catalog(db, spec.abs_items).into_iter().map(|b| b.title).collect();
    let wanted = db.user_books.values().filter(|u| u.status_id == status::WANT_TO_READ);
    let candidates = wanted.filter_map(|u| {
        let book = db.books.get(&u.book_id)?;
        let e = db.editions.get(&u.edition_id?)?;
        let audio = e.reading_format_id == format::AUDIO && e.asin.is_some() && e.audio_seconds.is_some();
        let ebook = e.reading_format_id == format::EBOOK && e.isbn_13.is_some() && e.pages.is_some();
        (!taken.contains(&book.title) && (audio || ebook)).then_some((book, e, audio))
    });
    candidates
        .zip(THRESHOLD_FRACTIONS)
        .enumerate()
        .map(|(k, ((book, e, audio), fraction))| {
            let started_ms = BASE_MS + (40 + k as i64) * 86_400_000;
            SeedBook {
                title: book.title.clone(),
                subtitle: None,
                author: book
                    .author_ids
                    .first()
                    .and_then(|a| db.authors.get(a))
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                isbn: if audio { None } else { e.isbn_13.clone() },
                asin: if audio { e.asin.clone() } else { None },
                audio,
                fraction,
                finished: false,
                duration_secs: e.audio_seconds.unwrap_or(0) as f64,
                pages: e.pages.unwrap_or(0) as u32,
                started_ms,
                updated_ms: started_ms + 86_400_000,
                finished_ms: None,
            }
        })
        .collect()
}

/// The demo's source for its virtual Kobo, mounted (when it is) at `root`.
pub fn kobo_source_yaml(root: &Path) -> String {
    format!("  - kind: kobo\n    name: demo-kobo\n    path: '{}'\n", root.display())
}

/// Write the demo's virtual Kobo at `root`: three ebooks of the catalog read on it (from the end
/// of the catalog, away from the Audiobookshelf's items), the first with two highlights, one of
/// them with a note. Everything is checkpointed into the database file, as a device leaves it
/// after "Eject".
pub fn write_virtual_kobo(db: &crate::hardcover::state::Db, root: &Path) -> rusqlite::Result<()> {
    use crate::devices::{KoboBook, KoboBookmark, KoboDrive};
    use crate::hardcover::state::format;
    let drive = KoboDrive::create(root, "N418DEMO00001", "00000000-0000-0000-0000-000000000388")?;
    let picks: Vec<_> = db
        .books
        .values()
        .rev()
        .skip(8)
        .filter(|b| !db.user_books.values().any(|u| u.book_id == b.id))
        .filter_map(|b| {
            let e = db
                .editions_of(b.id)
                .into_iter()
                .find(|e| e.reading_format_id == format::EBOOK && e.isbn_13.is_some() && e.pages.is_some())?;
            let author =
                b.author_ids.first().and_then(|a| db.authors.get(a)).map(|a| a.name.clone()).unwrap_or_default();
            Some((b.title.clone(), author, e.isbn_13.clone()))
        })
        .take(3)
        .collect();
    for (k, (title, author, isbn)) in picks.iter().enumerate() {
        let content_id = format!("7c1d2e3f-demo-4bbb-8ccc-00000000000{k}");
        drive.add_book(&KoboBook {
            content_id: content_id.clone(),
            title: title.clone(),
            author: author.clone(),
            isbn: isbn.clone(),
            percent_read: [37, 64, 12][k],
            read_status: 1,
            date_last_read: Some(format!("2026-11-2{k}T21:14:05Z")),
            last_started: Some(format!("2026-11-0{}T19:00:00Z", k + 2)),
            time_spent: 3600 * (k as i64 + 1),
            ..KoboBook::default()
        })?;
        if k == 0 {
            let mark = |id: &str, text: &str, note: Option<&str>, created: &str| KoboBookmark {
                id: id.into(),
                volume_id: content_id.clone(),
                text: Some(text.into()),
                annotation: note.map(Into::into),
                created: created.into(),
                modified: None,
                kind: if note.is_some() { "note" } else { "highlight" }.into(),
                hidden: false,
            };
            drive.add_bookmark(&mark(
                "demo-bm-1",
                "The lamps were lit one by one along the quay.",
                None,
                "2026-11-03T20:01:02Z",
            ))?;
            drive.add_bookmark(&mark(
                "demo-bm-2",
                "Every map is a promise someone meant to keep.",
                Some("Quote this in the book club"),
                "2026-11-04T08:30:00Z",
            ))?;
        }
    }
    drive.checkpoint()
}

/// Audiobookshelf items that cannot be matched without the user: no ISBN or ASIN and an author
/// that is not the catalog's (a rip tagged with its narrator), so the Sync view has items to
/// "Link…". Taken from the end of the catalog, away from the matched items.
pub fn unmatched_abs_books(db: &crate::hardcover::state::Db, n: usize) -> Vec<SeedBook> {
    db.books
        .values()
        .rev()
        .take(n)
        .enumerate()
        .map(|(k, book)| {
            let started_ms = BASE_MS + k as i64 * 3 * 86_400_000;
            SeedBook {
                title: book.title.clone(),
                subtitle: None,
                author: "Unknown Narrator".into(),
                isbn: None,
                asin: None,
                audio: true,
                fraction: 0.3,
                finished: false,
                duration_secs: 36_000.0,
                pages: 0,
                started_ms,
                updated_ms: started_ms + 86_400_000,
                finished_ms: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hardcover::state::format;

    /// The demo's Hardcover state, built the way `start` builds it (without serving it).
    fn demo_state() -> (DemoSpec, crate::hardcover::HardcoverState) {
        let spec = DemoSpec::default();
        let state = catalog(&spec);
        (spec, state)
    }

    #[test]
    fn two_want_to_read_books_sit_either_side_of_a_5_percent_threshold() {
        use crate::hardcover::state::status;
        let (spec, state) = demo_state();
        let db = state.db();
        let pair = threshold_books(&db, &spec);
        let fractions: Vec<f64> = pair.iter().map(|b| b.fraction).collect();
        assert_eq!(fractions, THRESHOLD_FRACTIONS, "one item under 5 % and one over it");
        let others: Vec<String> = abs_books_from_catalog(&db, spec.abs_items).into_iter().map(|b| b.title).collect();
        for item in &pair {
            assert!(!others.contains(&item.title), "{:?} must not be another demo item's book", item.title);
            let book = db.books.values().find(|b| b.title == item.title).expect("a catalog book");
            let shelf = db.user_books.values().find(|u| u.book_id == book.id).map(|u| u.status_id);
            assert_eq!(shelf, Some(status::WANT_TO_READ), "{:?} must be on Want to Read", item.title);
            assert!(item.isbn.is_some() || item.asin.is_some(), "{:?} must match by identifier", item.title);
        }
        assert_eq!(
            abs_items(&db, &spec).len(),
            spec.abs_items + 4,
            "the served items include the pair and two to link"
        );
    }

    #[test]
    fn items_are_editions_in_their_own_format() {
        let (spec, state) = demo_state();
        let db = state.db();
        let items = abs_books_from_catalog(&db, spec.abs_items);
        assert_eq!(items.len(), spec.abs_items, "the demo catalog must yield every item asked for");
        let (mut ebooks, mut shelved) = (0, 0);
        for item in &items {
            let edition = db
                .editions
                .values()
                .find(|e| {
                    (item.audio && e.asin.is_some() && e.asin == item.asin)
                        || (!item.audio && e.isbn_13.is_some() && e.isbn_13 == item.isbn)
                })
                .unwrap_or_else(|| panic!("item {:?} must carry a catalog edition's identifier", item.title));
            let want = if item.audio { format::AUDIO } else { format::EBOOK };
            assert_eq!(edition.reading_format_id, want, "item {:?} must be an edition in its own format", item.title);
            ebooks += usize::from(!item.audio);
            if let Some(u) = db.user_books.values().find(|u| u.book_id == edition.book_id) {
                shelved += 1;
                let users = u.edition_id.and_then(|id| db.editions.get(&id)).map(|e| e.reading_format_id);
                assert_eq!(users, Some(want), "a shelved item's book must be on the shelf in the item's format");
            }
        }
        assert!(ebooks > 0 && ebooks < items.len(), "the demo must have both ebooks and audiobooks");
        assert!(shelved > 0 && shelved < items.len(), "the demo must have books already shelved and new ones");
    }

    #[test]
    fn unmatched_items_carry_nothing_to_match_by_and_are_catalog_books() {
        let (spec, state) = demo_state();
        let db = state.db();
        let matched: Vec<String> = abs_books_from_catalog(&db, spec.abs_items).into_iter().map(|b| b.title).collect();
        for item in unmatched_abs_books(&db, 2) {
            assert!(item.isbn.is_none() && item.asin.is_none(), "an item left for the user to link has no identifier");
            assert!(
                db.books.values().any(|b| b.title == item.title),
                "the user must be able to find {:?} when linking it",
                item.title
            );
            assert!(!matched.contains(&item.title), "an unmatched item must not duplicate a matched one");
        }
    }
}
