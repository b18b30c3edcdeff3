//! [`HardcoverPort`] over the real GraphQL client: the engine's small vocabulary mapped onto
//! [`HardcoverClient`] calls, and the client's errors onto the few the engine acts on.

use std::sync::Mutex;

use async_trait::async_trait;

use super::port::{
    Edition, HardcoverPort, NewUserBook, PortError, Read, ReadPatch, ReadingFormat, SearchHit, Status, UserBook,
    UserBookPatch,
};
use crate::hardcover::{self as hc, Change, HardcoverClient, HardcoverError, TokenError};

/// The journal event of a highlight (Hardcover's own clients and peers write it so).
const QUOTE: &str = "quote";

/// Search hits asked for per free-text lookup: enough to find the right book among namesakes.
const SEARCH_PER_PAGE: i64 = 10;

/// Daily requests left for the user's other Hardcover tools: a tenth of the quota, at most 500
/// (limits are per user, shared by every app).
pub fn daily_reserve(daily_quota: u32) -> u32 {
    (daily_quota / 10).min(500)
}

/// The client, for one Hardcover user.
pub struct ClientPort<'a> {
    client: &'a HardcoverClient,
    user_id: i64,
    /// Why Hardcover wants the user to connect again, once it said so.
    reconnect: Mutex<Option<String>>,
}

impl<'a> ClientPort<'a> {
    pub fn new(client: &'a HardcoverClient, user_id: i64) -> Self {
        Self { client, user_id, reconnect: Mutex::new(None) }
    }

    /// Set when a call failed because the token was rejected or lacks a scope: the caller marks
    /// the session "reconnect needed" with this reason.
    pub fn reconnect_reason(&self) -> Option<String> {
        self.reconnect.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn map(&self, e: HardcoverError) -> PortError {
        if e.needs_reconnect() {
            *self.reconnect.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.to_string());
        }
        port_error(e)
    }
}

/// The engine's view of a client error: what stops the run (offline, rate limited, token
/// rejected) and what only fails one item.
pub fn port_error(e: HardcoverError) -> PortError {
    match e {
        HardcoverError::Unauthorized
        | HardcoverError::InsufficientScope { .. }
        | HardcoverError::Token(TokenError::ReconnectNeeded(_) | TokenError::NotConnected) => PortError::Unauthorized,
        HardcoverError::RateLimited { retry_after } => PortError::RateLimited { retry_after: Some(retry_after) },
        HardcoverError::DailyLimit { resets_in } => PortError::RateLimited { retry_after: resets_in },
        e @ (HardcoverError::Network { .. } | HardcoverError::Timeout | HardcoverError::Server { .. }) => {
            PortError::Offline(e.to_string())
        }
        HardcoverError::Mutation { field, message } => PortError::Rejected(format!("{field}: {message}")),
        other => PortError::Other(other.to_string()),
    }
}

fn format_of(id: i64) -> Option<ReadingFormat> {
    ReadingFormat::from_id(id)
}

fn edition(e: hc::Edition) -> Edition {
    Edition {
        id: e.id,
        book_id: e.book_id,
        title: e.title,
        pages: e.pages,
        audio_seconds: e.audio_seconds,
        reading_format: format_of(e.reading_format_id),
        isbn_10: e.isbn_10,
        isbn_13: e.isbn_13,
        asin: e.asin,
    }
}

fn read(r: &hc::Read) -> Read {
    Read {
        id: r.id,
        edition_id: r.edition_id,
        progress_pages: r.progress_pages,
        progress_seconds: r.progress_seconds,
        started_at: r.started_at,
        finished_at: r.finished_at,
    }
}

fn user_book(ub: hc::UserBook) -> UserBook {
    UserBook {
        id: ub.id,
        book_id: ub.book_id,
        // An id Hardcover added after this was written: treat the book as one to leave alone.
        status: Status::from_id(ub.status_id).unwrap_or(Status::Ignored),
        rating: ub.rating,
        latest_read: ub.latest_read().map(read),
        edition: ub.edition.map(edition),
        updated_at: ub.updated_at,
    }
}

fn reading_status(s: Status) -> Option<hc::ReadingStatus> {
    hc::ReadingStatus::from_id(s.id())
}

/// An optional date as a complete-state field: `None` is sent as `null`.
fn full(d: Option<chrono::NaiveDate>) -> Change<chrono::NaiveDate> {
    d.map_or(Change::Clear, Change::Set)
}

/// An optional date for a new read: `None` is left out.
fn given(d: Option<chrono::NaiveDate>) -> Change<chrono::NaiveDate> {
    d.map_or(Change::Keep, Change::Set)
}

#[async_trait]
impl HardcoverPort for ClientPort<'_> {
    async fn editions_by_identifiers(&self, asins: &[String], isbns: &[String]) -> Result<Vec<Edition>, PortError> {
        let found = self.client.editions_by_identifiers(isbns, asins).await.map_err(|e| self.map(e))?;
        Ok(found.into_iter().map(edition).collect())
    }

    async fn search_books(&self, query: &str) -> Result<Vec<SearchHit>, PortError> {
        let results = self.client.search_books(query, 1, SEARCH_PER_PAGE).await.map_err(|e| self.map(e))?;
        Ok(results
            .hits
            .into_iter()
            .map(|h| SearchHit {
                book_id: h.book_id,
                title: h.title.unwrap_or_default(),
                authors: h.author_names,
                isbns: h.isbns,
                release_year: h.release_year.and_then(|y| i32::try_from(y).ok()),
            })
            .collect())
    }

    async fn user_books(&self, book_ids: &[i64]) -> Result<Vec<UserBook>, PortError> {
        let rows = self.client.user_books_for_books(self.user_id, book_ids).await.map_err(|e| self.map(e))?;
        Ok(rows.into_iter().map(user_book).collect())
    }

    async fn editions_of_books(&self, book_ids: &[i64]) -> Result<Vec<Edition>, PortError> {
        let rows = self.client.editions_of_books(book_ids).await.map_err(|e| self.map(e))?;
        Ok(rows.into_iter().map(edition).collect())
    }

    async fn insert_user_book(&self, new: &NewUserBook) -> Result<i64, PortError> {
        Ok(self.insert_user_book_with_reads(new).await?.0)
    }

    async fn insert_user_book_with_reads(&self, new: &NewUserBook) -> Result<(i64, Option<Vec<Read>>), PortError> {
        let mut book = hc::NewUserBook::new(new.book_id);
        book.edition_id = new.edition_id;
        book.status = reading_status(new.status);
        book.rating = new.rating;
        let (id, reads) = self.client.insert_user_book_with_reads(book).await.map_err(|e| self.map(e))?;
        Ok((id, reads.map(|rs| rs.iter().map(read).collect())))
    }

    async fn update_user_book(&self, user_book_id: i64, patch: &UserBookPatch) -> Result<(), PortError> {
        // Never the edition: the user's choice stays (only status and rating are ours to send).
        let changes = hc::UserBookChanges {
            status: patch.status.and_then(reading_status),
            rating: patch.rating.map_or(Change::Keep, Change::Set),
            ..Default::default()
        };
        self.client.update_user_book(user_book_id, changes).await.map(|_| ()).map_err(|e| self.map(e))
    }

    async fn reads(&self, user_book_id: i64) -> Result<Vec<Read>, PortError> {
        let reads = self.client.user_book_reads(self.user_id, user_book_id).await.map_err(|e| self.map(e))?;
        Ok(reads.iter().map(read).collect())
    }

    async fn insert_read(&self, user_book_id: i64, r: &ReadPatch) -> Result<i64, PortError> {
        let dates = hc::DatesRead {
            edition_id: r.edition_id,
            started_at: given(r.started_at),
            finished_at: given(r.finished_at),
            progress_pages: r.progress_pages,
            progress_seconds: r.progress_seconds,
        };
        self.client.insert_user_book_read(user_book_id, dates).await.map_err(|e| self.map(e))
    }

    async fn update_read(&self, read_id: i64, r: &ReadPatch) -> Result<(), PortError> {
        // The complete state of the read: dates the engine left empty are sent as null.
        let dates = hc::DatesRead {
            edition_id: r.edition_id,
            started_at: full(r.started_at),
            finished_at: full(r.finished_at),
            progress_pages: r.progress_pages,
            progress_seconds: r.progress_seconds,
        };
        self.client.update_user_book_read(read_id, dates).await.map(|_| ()).map_err(|e| self.map(e))
    }

    async fn changed_since(&self, since: chrono::DateTime<chrono::Utc>) -> Result<Option<Vec<UserBook>>, PortError> {
        let rows = self.client.user_books_since(self.user_id, since).await.map_err(|e| self.map(e))?;
        Ok(Some(rows.into_iter().map(user_book).collect()))
    }

    async fn journal_entries(&self, book_ids: &[i64]) -> Result<Vec<super::port::RemoteEntry>, PortError> {
        let rows = self.client.reading_journals(self.user_id, book_ids, QUOTE).await.map_err(|e| self.map(e))?;
        Ok(rows
            .into_iter()
            .filter_map(|j| {
                Some(super::port::RemoteEntry {
                    id: j.id,
                    book_id: j.book_id?,
                    entry: j.entry.unwrap_or_default(),
                    // A timestamp: its day is what the input's `date` set.
                    action_at: j.action_at.as_deref().and_then(|t| t.get(..10)).and_then(|d| d.parse().ok()),
                })
            })
            .collect())
    }

    async fn insert_journal(&self, e: &super::port::JournalEntry) -> Result<i64, PortError> {
        let new = hc::NewReadingJournal {
            book_id: e.book_id,
            edition_id: e.edition_id,
            event: QUOTE.into(),
            entry: e.entry.clone(),
            action_at: e.action_at,
            metadata: e.metadata.clone(),
            privacy_setting_id: e.privacy,
            tags: Vec::new(),
        };
        self.client.insert_reading_journal(new).await.map_err(|e| self.map(e))
    }

    async fn update_journal(&self, id: i64, e: &super::port::JournalEntry) -> Result<(), PortError> {
        let changes = hc::ReadingJournalChanges { entry: e.entry.clone(), metadata: e.metadata.clone() };
        self.client.update_reading_journal(id, changes).await.map(|_| ()).map_err(|e| self.map(e))
    }

    async fn delete_journal(&self, id: i64) -> Result<(), PortError> {
        self.client.delete_reading_journal(id).await.map(|_| ()).map_err(|e| self.map(e))
    }

    async fn mark_owned(&self, edition_id: i64) -> Result<(), PortError> {
        self.client.edition_owned(edition_id).await.map(|_| ()).map_err(|e| self.map(e))
    }

    fn fields_sent(&self) -> Option<u64> {
        Some(self.client.requests_sent())
    }

    fn server_time(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.client.server_time()
    }

    /// The quota is the server's once it said so (the plan may differ from the free one), and
    /// so is the reserve kept from it.
    fn budget_left(&self) -> Option<u32> {
        let s = self.client.limiter().snapshot();
        Some(s.remaining_today.saturating_sub(daily_reserve(s.daily_quota)))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn errors_map_to_what_the_engine_does_next() {
        assert_eq!(port_error(HardcoverError::Unauthorized), PortError::Unauthorized, "a rejected token: reconnect");
        assert_eq!(
            port_error(HardcoverError::InsufficientScope { scope: "write:library".into() }),
            PortError::Unauthorized,
            "a missing scope is fixed by reconnecting"
        );
        assert!(port_error(HardcoverError::Timeout).stops_the_run(), "a timeout stops the run: retried later");
        assert!(
            port_error(HardcoverError::Server { status: 503, message: None }).stops_the_run(),
            "a 5xx stops the run"
        );
        assert_eq!(
            port_error(HardcoverError::DailyLimit { resets_in: Some(Duration::from_secs(60)) }),
            PortError::RateLimited { retry_after: Some(Duration::from_secs(60)) },
            "the daily limit waits for its reset"
        );
        let rejected = port_error(HardcoverError::Mutation { field: "update_user_book".into(), message: "no".into() });
        assert!(matches!(rejected, PortError::Rejected(_)), "a refused mutation fails only its item");
        assert!(!rejected.stops_the_run());
    }
}
