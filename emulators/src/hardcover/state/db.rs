//! The emulator's tables and the invariants that tie them together (ownership, id ranges).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::model::*;

/// What Hardcover does to a user's reads when a status change makes it open or close one
/// (see `quirks.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AutoReadPolicy {
    /// As observed in production: moving to Read closes the open read today, or, when the latest
    /// read is already finished (or there is none), inserts ANOTHER read finished today. This is
    /// the "two finished reads" pitfall in API-FACTS.md.
    #[default]
    Observed,
    /// Moving to Read leaves an already finished latest read alone (no second read).
    KeepFinished,
}

#[derive(Debug, Clone)]
pub struct Db {
    pub users: BTreeMap<i64, User>,
    pub authors: BTreeMap<i64, Author>,
    pub books: BTreeMap<i64, Book>,
    pub editions: BTreeMap<i64, Edition>,
    pub user_books: BTreeMap<i64, UserBook>,
    pub reads: BTreeMap<i64, UserBookRead>,
    pub lists: BTreeMap<i64, List>,
    pub list_books: BTreeMap<i64, ListBook>,
    pub journals: BTreeMap<i64, ReadingJournal>,
    /// The emulator's "today" for dates Hardcover fills in itself (automatic reads).
    pub today: NaiveDate,
    pub auto_read_policy: AutoReadPolicy,
    next: NextIds,
}

/// Each table draws ids from its own range, so a client that mixes up a book id with an edition or
/// user_book id hits "not found" instead of silently touching the wrong row.
#[derive(Debug, Clone)]
struct NextIds {
    user: i64,
    author: i64,
    book: i64,
    edition: i64,
    user_book: i64,
    read: i64,
    list: i64,
    list_book: i64,
    journal: i64,
}

impl Default for NextIds {
    fn default() -> Self {
        Self {
            user: 1_001,
            author: 40_001,
            book: 100_001,
            edition: 2_000_001,
            user_book: 5_000_001,
            read: 7_000_001,
            list: 30_001,
            list_book: 800_001,
            journal: 9_000_001,
        }
    }
}

fn bump(n: &mut i64) -> i64 {
    let id = *n;
    *n += 1;
    id
}

impl Db {
    pub fn new(today: NaiveDate) -> Self {
        Self {
            users: BTreeMap::new(),
            authors: BTreeMap::new(),
            books: BTreeMap::new(),
            editions: BTreeMap::new(),
            user_books: BTreeMap::new(),
            reads: BTreeMap::new(),
            lists: BTreeMap::new(),
            list_books: BTreeMap::new(),
            journals: BTreeMap::new(),
            today,
            auto_read_policy: AutoReadPolicy::default(),
            next: NextIds::default(),
        }
    }

    /// The emulator's "now": its `today` at the real time of day, so rows changed one after the
    /// other get increasing `updated_at` values (incremental readers filter with `_gt`).
    pub fn now_timestamp(&self) -> String {
        format!("{}T{}+00:00", self.today, chrono::Utc::now().format("%H:%M:%S%.6f"))
    }

    pub fn add_user(&mut self, username: &str) -> i64 {
        if let Some(u) = self.user_by_name(username) {
            return u.id;
        }
        let id = bump(&mut self.next.user);
        let created_at = self.now_timestamp();
        self.users.insert(
            id,
            User {
                id,
                username: username.to_string(),
                name: Some(username.to_string()),
                timezone: Some("Etc/UTC".into()),
                created_at,
            },
        );
        id
    }

    pub fn user_by_name(&self, username: &str) -> Option<&User> {
        self.users.values().find(|u| u.username == username)
    }

    pub fn add_author(&mut self, name: &str) -> i64 {
        let id = bump(&mut self.next.author);
        self.authors.insert(id, Author { id, name: name.to_string(), slug: slugify(name) });
        id
    }

    /// Insert a book; `id` and `slug` are assigned here.
    pub fn add_book(&mut self, mut book: Book) -> i64 {
        book.id = bump(&mut self.next.book);
        book.slug = format!("{}-{}", slugify(&book.title), book.id);
        let id = book.id;
        self.books.insert(id, book);
        id
    }

    pub fn add_edition(&mut self, mut edition: Edition) -> i64 {
        edition.id = bump(&mut self.next.edition);
        let id = edition.id;
        self.editions.insert(id, edition);
        id
    }

    pub fn add_user_book(&mut self, mut ub: UserBook) -> i64 {
        ub.id = bump(&mut self.next.user_book);
        let id = ub.id;
        self.user_books.insert(id, ub);
        id
    }

    pub fn add_read(&mut self, mut read: UserBookRead) -> i64 {
        read.id = bump(&mut self.next.read);
        let id = read.id;
        self.reads.insert(id, read);
        id
    }

    pub fn add_list(&mut self, mut list: List) -> i64 {
        list.id = bump(&mut self.next.list);
        list.slug = slugify(&list.name);
        let id = list.id;
        self.lists.insert(id, list);
        id
    }

    pub fn add_journal(&mut self, mut j: ReadingJournal) -> i64 {
        j.id = bump(&mut self.next.journal);
        let id = j.id;
        self.journals.insert(id, j);
        id
    }

    pub fn journal_owner(&self, id: i64) -> Option<i64> {
        self.journals.get(&id).map(|j| j.user_id)
    }

    pub fn add_list_book(&mut self, mut lb: ListBook) -> i64 {
        lb.id = bump(&mut self.next.list_book);
        let id = lb.id;
        self.list_books.insert(id, lb);
        id
    }

    // ---- lookups used by resolvers, quirks and tests ----

    pub fn user_books_of(&self, user_id: i64) -> Vec<&UserBook> {
        self.user_books.values().filter(|ub| ub.user_id == user_id).collect()
    }

    pub fn user_book_for(&self, user_id: i64, book_id: i64) -> Option<&UserBook> {
        self.user_books.values().find(|ub| ub.user_id == user_id && ub.book_id == book_id)
    }

    /// Reads of a user_book, oldest first (by id, i.e. creation order).
    pub fn reads_of(&self, user_book_id: i64) -> Vec<&UserBookRead> {
        self.reads.values().filter(|r| r.user_book_id == user_book_id).collect()
    }

    pub fn latest_read(&self, user_book_id: i64) -> Option<&UserBookRead> {
        self.reads_of(user_book_id).into_iter().next_back()
    }

    pub fn editions_of(&self, book_id: i64) -> Vec<&Edition> {
        self.editions.values().filter(|e| e.book_id == book_id).collect()
    }

    pub fn lists_of(&self, user_id: i64) -> Vec<&List> {
        self.lists.values().filter(|l| l.user_id == user_id).collect()
    }

    pub fn list_books_of(&self, list_id: i64) -> Vec<&ListBook> {
        self.list_books.values().filter(|lb| lb.list_id == list_id).collect()
    }

    /// Owner of a user_book, read, list or list_book row; `None` when the row does not exist.
    pub fn user_book_owner(&self, user_book_id: i64) -> Option<i64> {
        self.user_books.get(&user_book_id).map(|ub| ub.user_id)
    }

    pub fn read_owner(&self, read_id: i64) -> Option<i64> {
        self.reads.get(&read_id).and_then(|r| self.user_book_owner(r.user_book_id))
    }

    pub fn list_owner(&self, list_id: i64) -> Option<i64> {
        self.lists.get(&list_id).map(|l| l.user_id)
    }

    pub fn list_book_owner(&self, list_book_id: i64) -> Option<i64> {
        self.list_books.get(&list_book_id).and_then(|lb| self.list_owner(lb.list_id))
    }

    /// Hardcover's computed `user_book_reads.progress`: a percentage (0–100) of the read's
    /// edition, from pages for text editions and seconds for audio ones; 0 when the edition has
    /// neither (the "progress shows 0%" pitfall).
    pub fn read_progress(&self, read: &UserBookRead) -> f64 {
        let edition = read.edition_id.and_then(|id| self.editions.get(&id));
        let Some(edition) = edition else { return 0.0 };
        let pct = |done: Option<i64>, total: Option<i64>| match (done, total) {
            (Some(d), Some(t)) if t > 0 => Some(((d as f64) / (t as f64) * 100.0).clamp(0.0, 100.0)),
            _ => None,
        };
        pct(read.progress_seconds, edition.audio_seconds)
            .or_else(|| pct(read.progress_pages, edition.pages))
            .unwrap_or(0.0)
    }
}

pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}
