//! An in-memory Hardcover for the engine's tests, with the server behaviour peers tripped over:
//! setting status Currently Reading opens a read when none is open, and setting status Read
//! finishes the open read — or, when none is open, creates a finished read — dated TODAY.
//! (API-FACTS, Pitfalls.) Every call is logged so tests can count requests.

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::NaiveDate;

use super::port::{
    Edition, HardcoverPort, NewUserBook, PortError, Read, ReadPatch, SearchHit, Status, UserBook, UserBookPatch, latest,
};

#[derive(Debug, Clone)]
pub struct FakeUserBook {
    pub id: i64,
    pub book_id: i64,
    pub edition_id: Option<i64>,
    pub status: Status,
    pub rating: Option<f64>,
}

#[derive(Debug)]
pub struct FakeState {
    pub today: NaiveDate,
    pub editions: Vec<Edition>,
    pub hits: Vec<SearchHit>,
    pub user_books: Vec<FakeUserBook>,
    pub reads: Vec<(i64, Read)>,
    pub calls: Vec<String>,
    /// Fail the call whose log name starts with this, once.
    pub fail_once: Option<(String, PortError)>,
    next_id: i64,
}

pub struct FakeHardcover {
    pub state: Mutex<FakeState>,
}

impl FakeHardcover {
    pub fn new(today: NaiveDate) -> Self {
        Self {
            state: Mutex::new(FakeState {
                today,
                editions: Vec::new(),
                hits: Vec::new(),
                user_books: Vec::new(),
                reads: Vec::new(),
                calls: Vec::new(),
                fail_once: None,
                next_id: 1000,
            }),
        }
    }

    pub fn with(self, f: impl FnOnce(&mut FakeState)) -> Self {
        f(&mut self.state.lock().unwrap());
        self
    }

    pub fn calls(&self) -> Vec<String> {
        self.state.lock().unwrap().calls.clone()
    }

    pub fn reads_of_book(&self, book_id: i64) -> Vec<Read> {
        let s = self.state.lock().unwrap();
        let Some(ub) = s.user_books.iter().find(|u| u.book_id == book_id) else { return Vec::new() };
        s.reads.iter().filter(|(u, _)| *u == ub.id).map(|(_, r)| r.clone()).collect()
    }

    pub fn user_book_of(&self, book_id: i64) -> Option<FakeUserBook> {
        self.state.lock().unwrap().user_books.iter().find(|u| u.book_id == book_id).cloned()
    }

    pub fn add_user_book(&self, book_id: i64, edition_id: Option<i64>, status: Status, reads: Vec<Read>) -> i64 {
        let mut s = self.state.lock().unwrap();
        let id = s.id();
        s.user_books.push(FakeUserBook { id, book_id, edition_id, status, rating: None });
        for r in reads {
            s.reads.push((id, r));
        }
        id
    }
}

impl FakeState {
    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    fn call(&mut self, name: String) -> Result<(), PortError> {
        self.calls.push(name.clone());
        if let Some((prefix, _)) = &self.fail_once
            && name.starts_with(prefix.as_str())
        {
            return Err(self.fail_once.take().expect("checked").1);
        }
        Ok(())
    }

    /// What the real server does when a status is set.
    fn on_status(&mut self, user_book_id: i64, status: Status, edition_id: Option<i64>) {
        let today = self.today;
        let reads: Vec<Read> = self.reads.iter().filter(|(u, _)| *u == user_book_id).map(|(_, r)| r.clone()).collect();
        let open = latest(&reads).filter(|r| !r.is_finished()).map(|r| r.id);
        match (status, open) {
            (Status::CurrentlyReading, None) => {
                let id = self.id();
                let read = Read { id, edition_id, started_at: Some(today), ..Read::default() };
                self.reads.push((user_book_id, read));
            }
            (Status::Read, Some(open)) => {
                let r = self.reads.iter_mut().find(|(_, r)| r.id == open).expect("open read");
                r.1.finished_at = Some(today);
            }
            (Status::Read, None) => {
                let id = self.id();
                let read = Read { id, edition_id, finished_at: Some(today), ..Read::default() };
                self.reads.push((user_book_id, read));
            }
            _ => {}
        }
    }
}

fn apply(read: &mut Read, p: &ReadPatch) {
    read.edition_id = p.edition_id.or(read.edition_id);
    read.started_at = p.started_at;
    read.finished_at = p.finished_at;
    read.progress_pages = p.progress_pages;
    read.progress_seconds = p.progress_seconds;
}

#[async_trait]
impl HardcoverPort for FakeHardcover {
    async fn editions_by_identifiers(&self, asins: &[String], isbns: &[String]) -> Result<Vec<Edition>, PortError> {
        let mut s = self.state.lock().unwrap();
        s.call(format!("editions_by_identifiers {} {}", asins.len(), isbns.len()))?;
        let has = |v: &Option<String>, list: &[String]| v.as_ref().is_some_and(|x| list.contains(x));
        Ok(s.editions
            .iter()
            .filter(|e| has(&e.asin, asins) || has(&e.isbn_13, isbns) || has(&e.isbn_10, isbns))
            .cloned()
            .collect())
    }

    async fn search_books(&self, query: &str) -> Result<Vec<SearchHit>, PortError> {
        let mut s = self.state.lock().unwrap();
        s.call(format!("search {query}"))?;
        Ok(s.hits.clone())
    }

    async fn user_books(&self, book_ids: &[i64]) -> Result<Vec<UserBook>, PortError> {
        let mut s = self.state.lock().unwrap();
        s.call(format!("user_books {}", book_ids.len()))?;
        Ok(s.user_books
            .iter()
            .filter(|u| book_ids.contains(&u.book_id))
            .map(|u| {
                let reads: Vec<Read> = s.reads.iter().filter(|(id, _)| *id == u.id).map(|(_, r)| r.clone()).collect();
                UserBook {
                    id: u.id,
                    book_id: u.book_id,
                    status: u.status,
                    rating: u.rating,
                    edition: u.edition_id.and_then(|e| s.editions.iter().find(|x| x.id == e).cloned()),
                    latest_read: latest(&reads).cloned(),
                    updated_at: None,
                }
            })
            .collect())
    }

    async fn editions_of_books(&self, book_ids: &[i64]) -> Result<Vec<Edition>, PortError> {
        let mut s = self.state.lock().unwrap();
        s.call(format!("editions_of_books {}", book_ids.len()))?;
        Ok(s.editions.iter().filter(|e| book_ids.contains(&e.book_id)).cloned().collect())
    }

    async fn insert_user_book(&self, new: &NewUserBook) -> Result<i64, PortError> {
        let mut s = self.state.lock().unwrap();
        s.call(format!("insert_user_book {} {:?}", new.book_id, new.status))?;
        if s.user_books.iter().any(|u| u.book_id == new.book_id) {
            return Err(PortError::Rejected("book already on the shelf".into()));
        }
        let id = s.id();
        s.user_books.push(FakeUserBook {
            id,
            book_id: new.book_id,
            edition_id: new.edition_id,
            status: new.status,
            rating: new.rating,
        });
        s.on_status(id, new.status, new.edition_id);
        Ok(id)
    }

    async fn update_user_book(&self, user_book_id: i64, patch: &UserBookPatch) -> Result<(), PortError> {
        let mut s = self.state.lock().unwrap();
        s.call(format!("update_user_book {user_book_id} {:?} {:?}", patch.status, patch.rating))?;
        let ub =
            s.user_books.iter_mut().find(|u| u.id == user_book_id).ok_or(PortError::Rejected("no user book".into()))?;
        if let Some(r) = patch.rating {
            ub.rating = Some(r);
        }
        let edition = ub.edition_id;
        if let Some(st) = patch.status {
            let changed = ub.status != st;
            ub.status = st;
            if changed {
                s.on_status(user_book_id, st, edition);
            }
        }
        Ok(())
    }

    async fn reads(&self, user_book_id: i64) -> Result<Vec<Read>, PortError> {
        let mut s = self.state.lock().unwrap();
        s.call(format!("reads {user_book_id}"))?;
        Ok(s.reads.iter().filter(|(u, _)| *u == user_book_id).map(|(_, r)| r.clone()).collect())
    }

    async fn insert_read(&self, user_book_id: i64, read: &ReadPatch) -> Result<i64, PortError> {
        let mut s = self.state.lock().unwrap();
        s.call(format!("insert_read {user_book_id}"))?;
        let id = s.id();
        let mut r = Read { id, ..Read::default() };
        apply(&mut r, read);
        s.reads.push((user_book_id, r));
        Ok(id)
    }

    async fn update_read(&self, read_id: i64, read: &ReadPatch) -> Result<(), PortError> {
        let mut s = self.state.lock().unwrap();
        s.call(format!("update_read {read_id}"))?;
        let r = s.reads.iter_mut().find(|(_, r)| r.id == read_id).ok_or(PortError::Rejected("no read".into()))?;
        apply(&mut r.1, read);
        Ok(())
    }
}
