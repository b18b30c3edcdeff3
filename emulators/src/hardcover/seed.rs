//! A deterministic, realistic library: books with authors, text and audio editions carrying
//! valid ISBNs and ASINs, and for each user a shelf spread over all six statuses, reads with
//! plausible dates, ratings in halves and lists (one longer than a 100-row page).

use std::collections::HashSet;

use chrono::{Days, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::state::{Book, Db, Edition, List, ListBook, UserBook, UserBookRead, format, status};
use super::words::*;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedSpec {
    pub books: usize,
    pub seed: u64,
    /// Share of the catalog the first user has on a shelf (later users get a third of it).
    pub shelf_share: f64,
    /// Books on the long list (more than a 100-row page, to exercise paging); capped by the shelf.
    pub long_list: usize,
}

impl Default for SeedSpec {
    fn default() -> Self {
        Self { books: 300, seed: 1, shelf_share: 0.6, long_list: 150 }
    }
}

/// ISBN-13 check digit over the first 12 digits.
pub fn isbn13_check(digits12: &str) -> char {
    let sum: u32 =
        digits12.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// ISBN-10 check character over the first 9 digits (`X` for 10).
pub fn isbn10_check(digits9: &str) -> char {
    let sum: u32 = digits9.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * (10 - i as u32)).sum();
    match (11 - sum % 11) % 11 {
        10 => 'X',
        d => char::from(b'0' + d as u8),
    }
}

struct Gen {
    rng: StdRng,
    isbns: HashSet<String>,
}

impl Gen {
    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.rng.gen_range(0..words.len())]
    }

    fn title(&mut self) -> String {
        match self.rng.gen_range(0..6) {
            0 => format!("The {} {}", self.pick(ADJECTIVES), self.pick(NOUNS)),
            1 => format!("{} of {}", self.pick(NOUNS), self.pick(NOUNS)),
            2 => format!("The {} of {}", self.pick(NOUNS), self.pick(PLACES)),
            3 => format!("A {} in {}", self.pick(NOUNS), self.pick(PLACES)),
            4 => format!("{} {}", self.pick(ADJECTIVES), self.pick(NOUNS)),
            _ => {
                let owner = self.pick(NOUNS);
                let apostrophe = if owner.ends_with('s') { "'" } else { "'s" };
                format!("The {owner}{apostrophe} {}", self.pick(NOUNS))
            }
        }
    }

    /// A fresh (ISBN-10, ISBN-13) pair for the same edition, both with valid check digits.
    fn isbn_pair(&mut self) -> (String, String) {
        loop {
            let body: String = (0..9).map(|_| char::from(b'0' + self.rng.gen_range(0..10u8))).collect();
            let isbn10 = format!("{body}{}", isbn10_check(&body));
            let twelve = format!("978{body}");
            let isbn13 = format!("{twelve}{}", isbn13_check(&twelve));
            if self.isbns.insert(isbn13.clone()) {
                return (isbn10, isbn13);
            }
        }
    }

    fn asin(&mut self) -> String {
        const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        let tail: String = (0..8).map(|_| char::from(CHARS[self.rng.gen_range(0..CHARS.len())])).collect();
        format!("B0{tail}")
    }
}

/// Fill `db` with `spec.books` books (and their authors and editions).
pub fn seed_catalog(db: &mut Db, spec: &SeedSpec) {
    let mut g = Gen { rng: StdRng::seed_from_u64(spec.seed), isbns: HashSet::new() };
    let n_authors = (spec.books / 3).max(5);
    let authors: Vec<i64> = (0..n_authors)
        .map(|_| {
            let name = format!("{} {}", g.pick(FIRST_NAMES), g.pick(LAST_NAMES));
            db.add_author(&name)
        })
        .collect();
    let mut titles = HashSet::new();
    for _ in 0..spec.books {
        let mut title = g.title();
        let mut n = 2;
        while !titles.insert(title.clone()) {
            title = format!("{} {}", g.title(), roman(n));
            n += 1;
        }
        let year = g.rng.gen_range(1950..=2025);
        let release = NaiveDate::from_ymd_opt(year, g.rng.gen_range(1..=12), g.rng.gen_range(1..=28));
        let mut author_ids = vec![authors[g.rng.gen_range(0..authors.len())]];
        if g.rng.gen_bool(0.15) {
            let second = authors[g.rng.gen_range(0..authors.len())];
            if second != author_ids[0] {
                author_ids.push(second);
            }
        }
        let pages = g.rng.gen_range(120..900);
        let has_audio = g.rng.gen_bool(0.45);
        let audio_seconds = g.rng.gen_range(3 * 3600..30 * 3600);
        let book_id = db.add_book(Book {
            id: 0,
            title: title.clone(),
            subtitle: g.rng.gen_bool(0.2).then(|| "A Novel".to_string()),
            slug: String::new(),
            description: Some(format!(
                "{title}: a story of {} and {}.",
                g.pick(NOUNS).to_lowercase(),
                g.pick(NOUNS).to_lowercase()
            )),
            release_year: Some(i64::from(year)),
            release_date: release,
            pages: Some(pages),
            audio_seconds: has_audio.then_some(audio_seconds),
            users_count: g.rng.gen_range(0..5000),
            rating: Some(f64::from(g.rng.gen_range(25..=48u8)) / 10.0),
            author_ids,
        });
        let base = |g: &mut Gen, format_id: i64, edition_format: &str| Edition {
            id: 0,
            book_id,
            title: Some(title.clone()),
            subtitle: None,
            pages: None,
            audio_seconds: None,
            isbn_10: None,
            isbn_13: None,
            asin: None,
            reading_format_id: format_id,
            edition_format: Some(edition_format.to_string()),
            physical_format: None,
            release_date: release,
            release_year: Some(i64::from(year)),
            users_count: g.rng.gen_range(0..2000),
        };
        // Text edition; a few lack a page count, as real catalog entries do (progress then shows 0%).
        let (isbn10, isbn13) = g.isbn_pair();
        let physical_format = g.pick(PUBLISHER_FORMATS).to_string();
        let mut physical = base(&mut g, format::PHYSICAL, &physical_format);
        physical.pages = (!g.rng.gen_bool(0.06)).then_some(pages);
        physical.isbn_10 = Some(isbn10);
        physical.isbn_13 = Some(isbn13);
        physical.physical_format = Some(physical_format);
        db.add_edition(physical);
        if g.rng.gen_bool(0.5) {
            let (_, isbn13) = g.isbn_pair();
            let mut ebook = base(&mut g, format::EBOOK, "Kindle Edition");
            ebook.pages = Some(pages + g.rng.gen_range(0..40));
            ebook.isbn_13 = Some(isbn13);
            ebook.asin = Some(g.asin());
            db.add_edition(ebook);
        }
        if has_audio {
            let mut audio = base(&mut g, format::AUDIO, "Audible Audio");
            audio.audio_seconds = Some(audio_seconds);
            audio.asin = Some(g.asin());
            db.add_edition(audio);
        }
    }
}

fn roman(n: usize) -> &'static str {
    ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"].get(n).copied().unwrap_or("Redux")
}

/// Put a share of the catalog on `user_id`'s shelves, with reads and lists.
pub fn seed_library(db: &mut Db, user_id: i64, spec: &SeedSpec, share: f64) {
    let mut rng = StdRng::seed_from_u64(spec.seed ^ (user_id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let today = db.today;
    let days_ago = |n: u64| today.checked_sub_days(Days::new(n)).unwrap_or(today);
    let mut book_ids: Vec<i64> = db.books.keys().copied().collect();
    book_ids.shuffle(&mut rng);
    book_ids.truncate(((book_ids.len() as f64) * share).round() as usize);
    book_ids.sort_unstable();
    let mut finished = Vec::new();
    for (i, &book_id) in book_ids.iter().enumerate() {
        // The first six books cover every status, so even a tiny library has all of them.
        let status_id = if i < 6 {
            i as i64 + 1
        } else {
            match rng.gen_range(0..100) {
                0..25 => status::WANT_TO_READ,
                25..35 => status::CURRENTLY_READING,
                35..80 => status::READ,
                80..86 => status::PAUSED,
                86..92 => status::DID_NOT_FINISH,
                _ => status::IGNORED,
            }
        };
        let editions: Vec<Edition> = db.editions_of(book_id).into_iter().cloned().collect();
        let edition = (!rng.gen_bool(0.15)).then(|| editions[rng.gen_range(0..editions.len())].clone());
        let start = rng.gen_range(20..1100u64);
        let rating = (status_id == status::READ && rng.gen_bool(0.7)).then(|| f64::from(rng.gen_range(4..=10u8)) / 2.0);
        let now = format!("{}T12:00:00+00:00", days_ago(start + 30));
        let ub_id = db.add_user_book(UserBook {
            id: 0,
            user_id,
            book_id,
            edition_id: edition.as_ref().map(|e| e.id),
            status_id,
            rating,
            privacy_setting_id: 1,
            owned: rng.gen_bool(0.3),
            private_notes: None,
            review_raw: None,
            date_added: days_ago(start + 30),
            created_at: now.clone(),
            updated_at: now,
            first_started_reading_date: None,
        });
        let full = |e: &Option<Edition>, frac: f64| match e {
            Some(e) if e.audio_seconds.is_some() => (None, e.audio_seconds.map(|s| (s as f64 * frac) as i64)),
            Some(e) => (e.pages.map(|p| (p as f64 * frac) as i64), None),
            None => (None, None),
        };
        let mut read =
            |started: Option<NaiveDate>, finished_at: Option<NaiveDate>, paused: Option<NaiveDate>, frac: f64| {
                let (pages, seconds) = full(&edition, frac);
                db.add_read(UserBookRead {
                    id: 0,
                    user_book_id: ub_id,
                    edition_id: edition.as_ref().map(|e| e.id),
                    started_at: started,
                    finished_at,
                    paused_at: paused,
                    progress_pages: pages,
                    progress_seconds: seconds,
                    finished_at_precision: None,
                });
            };
        match status_id {
            status::READ => {
                if rng.gen_bool(0.15) {
                    // A re-read: an older finished read first.
                    read(Some(days_ago(start + 400)), Some(days_ago(start + 380)), None, 1.0);
                }
                let length = rng.gen_range(3..60);
                read(Some(days_ago(start)), Some(days_ago(start.saturating_sub(length).max(1))), None, 1.0);
                finished.push(book_id);
            }
            status::CURRENTLY_READING => {
                read(Some(days_ago(rng.gen_range(1..60))), None, None, rng.gen_range(0.05..0.9))
            }
            status::PAUSED => read(
                Some(days_ago(start)),
                None,
                Some(days_ago(start.saturating_sub(10).max(1))),
                rng.gen_range(0.1..0.6),
            ),
            status::DID_NOT_FINISH => read(Some(days_ago(start)), None, None, rng.gen_range(0.05..0.4)),
            _ => {}
        }
    }
    let now = format!("{today}T12:00:00+00:00");
    let add_list = |db: &mut Db, name: &str, books: &[i64], ranked: bool| {
        let list_id = db.add_list(List {
            id: 0,
            user_id,
            name: name.to_string(),
            slug: String::new(),
            description: Some(format!("{name} (seeded)")),
            privacy_setting_id: 1,
            ranked,
            public: true,
            default_view: "card".into(),
            created_at: now.clone(),
            updated_at: now.clone(),
        });
        for (i, &book_id) in books.iter().enumerate() {
            db.add_list_book(ListBook {
                id: 0,
                list_id,
                book_id,
                edition_id: None,
                position: Some(i as i64 + 1),
                date_added: now.clone(),
                created_at: now.clone(),
            });
        }
    };
    let favourites: Vec<i64> = finished.iter().copied().take(15).collect();
    add_list(db, "Favorites", &favourites, true);
    let mut club = book_ids.clone();
    club.shuffle(&mut rng);
    club.truncate(8);
    add_list(db, "Book Club", &club, false);
    add_list(db, "Empty Shelf", &[], false);
    let long: Vec<i64> = book_ids.iter().copied().take(spec.long_list).collect();
    add_list(db, "Everything I Own", &long, false);
}

/// A reading-server book (for the Audiobookshelf, Komga … emulators) that is this catalog
/// edition: its book's title and first author, the edition's ASIN or ISBN (ISBN-13, else
/// ISBN-10), its length. Not started; tests set the progress they need.
pub fn reading_server_book(db: &Db, edition_id: i64) -> Option<crate::seed::SeedBook> {
    let e = db.editions.get(&edition_id)?;
    let book = db.books.get(&e.book_id)?;
    let author = book.author_ids.first().and_then(|a| db.authors.get(a)).map(|a| a.name.clone()).unwrap_or_default();
    let audio = e.reading_format_id == format::AUDIO;
    let base = crate::seed::BASE_MS;
    Some(crate::seed::SeedBook {
        title: book.title.clone(),
        subtitle: None,
        author,
        isbn: if audio { None } else { e.isbn_13.clone().or_else(|| e.isbn_10.clone()) },
        asin: if audio { e.asin.clone() } else { None },
        audio,
        fraction: 0.0,
        finished: false,
        duration_secs: e.audio_seconds.unwrap_or(0) as f64,
        pages: e.pages.or(book.pages).unwrap_or(300) as u32,
        started_ms: base,
        updated_ms: base,
        finished_ms: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbn_check_digits_match_known_isbns() {
        // "The C Programming Language", 2nd ed.: ISBN-10 0131103628, ISBN-13 9780131103627.
        assert_eq!(isbn10_check("013110362"), '8', "ISBN-10 check digit of a known book");
        assert_eq!(isbn13_check("978013110362"), '7', "ISBN-13 check digit of the same book");
        assert_eq!(isbn10_check("080442957"), 'X', "a remainder of 10 is written X");
    }

    #[test]
    fn seeding_is_deterministic_and_covers_every_status() {
        let make = || {
            let mut db = Db::new(NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
            let spec = SeedSpec { books: 200, ..SeedSpec::default() };
            seed_catalog(&mut db, &spec);
            let user = db.add_user("reader");
            seed_library(&mut db, user, &spec, spec.shelf_share);
            db
        };
        let (a, b) = (make(), make());
        assert_eq!(a.books, b.books, "the same seed must give the same catalog");
        assert_eq!(a.reads, b.reads, "the same seed must give the same reads");
        for s in 1..=6 {
            assert!(a.user_books.values().any(|u| u.status_id == s), "status {s} must appear on the seeded shelf");
        }
        assert!(a.lists.values().any(|l| a.list_books_of(l.id).len() > 100), "one list must exceed a 100-row page");
        for e in a.editions.values() {
            if let Some(isbn) = &e.isbn_13 {
                assert_eq!(
                    isbn.chars().last(),
                    Some(isbn13_check(&isbn[..12])),
                    "every ISBN-13 must carry a valid check digit"
                );
            }
            if e.reading_format_id == format::AUDIO {
                assert!(e.asin.is_some() && e.audio_seconds.is_some(), "audio editions carry an ASIN and a duration");
            }
        }
        for r in a.reads.values() {
            if let (Some(s), Some(f)) = (r.started_at, r.finished_at) {
                assert!(s <= f, "a seeded read must not finish before it starts");
            }
            assert!(r.finished_at.is_none_or(|f| f <= a.today), "no read finishes in the future");
        }
    }
}
