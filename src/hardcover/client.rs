//! [`HardcoverClient`]: every call the app makes to Hardcover, in plain types.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use graphql_client::GraphQLQuery;
use serde_json::Value;
use url::Url;

use super::batch::{self, BatchDocument, Mutation, MutationOutcome};
use super::convert;
use super::error::HardcoverError;
use super::model::{
    DatesRead, Edition, List, ListBook, Me, NewListBook, NewReadingJournal, NewUserBook, Read, ReadingJournal,
    ReadingJournalChanges, ReadingStatus, SearchResults, StatusCounts, UserBook, UserBookChanges,
};
use super::ops;
use super::ratelimit::RateLimiter;
use super::token::TokenProvider;
use super::transport::{self, Transport};

/// Hardcover serves at most 100 rows a page.
pub const MAX_PAGE: i64 = 100;

/// Latest reads fetched per user book: the newest is the one the sync updates; a few more show
/// duplicates other tools left behind.
pub const DEFAULT_READS_PER_BOOK: i64 = 3;

type Result<T> = std::result::Result<T, HardcoverError>;

pub struct HardcoverClient {
    transport: Transport,
    api_url: Url,
    tokens: Arc<dyn TokenProvider>,
    ids_per_field: usize,
    reads_per_book: i64,
}

impl HardcoverClient {
    /// A client for `api_url` (`scrobbling.hardcover.api_url`, normally
    /// `https://api.hardcover.app/v1/graphql`) with its own free-plan limiter. Give clients of the
    /// same Hardcover user one shared limiter with [`Self::with_limiter`].
    pub fn new(api_url: Url, tokens: Arc<dyn TokenProvider>) -> Result<Self> {
        let transport = Transport::new(
            api_url.clone(),
            tokens.clone(),
            Arc::new(RateLimiter::default()),
            transport::DEFAULT_REQUEST_TIMEOUT,
            transport::DEFAULT_CONNECT_TIMEOUT,
        )?;
        Ok(Self {
            transport,
            api_url,
            tokens,
            ids_per_field: batch::DEFAULT_IDS_PER_FIELD,
            reads_per_book: DEFAULT_READS_PER_BOOK,
        })
    }

    /// Share a limiter: Hardcover's limits are per user, across all their apps and tokens.
    pub fn with_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.transport.limiter = limiter;
        self
    }

    /// Override the HTTP timeouts (defaults: 40 s per request, 10 s to connect).
    pub fn with_timeouts(self, request: Duration, connect: Duration) -> Result<Self> {
        let limiter = self.transport.limiter.clone();
        let transport = Transport::new(self.api_url.clone(), self.tokens.clone(), limiter, request, connect)?;
        Ok(Self { transport, ..self })
    }

    /// Identifiers per `_in` list in [`Self::editions_by_identifiers`] (default 100).
    pub fn with_ids_per_field(mut self, n: usize) -> Self {
        self.ids_per_field = n.max(1);
        self
    }

    /// How many of each user book's latest reads to fetch (default 3, newest first).
    pub fn with_reads_per_book(mut self, n: i64) -> Self {
        self.reads_per_book = n.clamp(1, MAX_PAGE);
        self
    }

    pub fn limiter(&self) -> &Arc<RateLimiter> {
        &self.transport.limiter
    }

    /// Hardcover's clock as of its latest answer (the HTTP `Date` header, whole seconds).
    pub fn server_time(&self) -> Option<DateTime<Utc>> {
        self.transport.server_date()
    }

    /// Top-level fields this client has sent, each billed by Hardcover as one request.
    pub fn requests_sent(&self) -> u64 {
        self.transport.requests_sent()
    }

    async fn run<Q: GraphQLQuery>(&self, variables: Q::Variables) -> Result<Q::ResponseData> {
        let body = serde_json::to_value(Q::build_query(variables))
            .map_err(|e| HardcoverError::InvalidRequest(format!("cannot encode variables: {e}")))?;
        let data = self.transport.post(&body, 1).await?.into_data()?;
        serde_json::from_value(data).map_err(|e| HardcoverError::Decode(e.to_string()))
    }

    async fn run_document(&self, doc: &BatchDocument) -> Result<Value> {
        self.transport.post(&doc.body(), doc.top_level_fields() as u32).await?.into_data()
    }

    /// The user the token belongs to.
    pub async fn me(&self) -> Result<Me> {
        let data = self.run::<ops::Me>(ops::me::Variables {}).await?;
        // `me` is a list; an empty one means the token maps to no user.
        convert::me(data).ok_or(HardcoverError::Unauthorized)
    }

    /// Books per status (two requests: six counts, at most five fields each).
    pub async fn status_counts(&self, user_id: i64) -> Result<StatusCounts> {
        let mut counts = StatusCounts::default();
        let mut statuses = ReadingStatus::ALL.iter();
        for doc in batch::status_count_documents(user_id) {
            let data = self.run_document(&doc).await?;
            for alias in &doc.aliases {
                let status = statuses.next().expect("one alias per status");
                let n = data
                    .get(alias)
                    .and_then(|v| v.get("aggregate"))
                    .and_then(|v| v.get("count"))
                    .and_then(Value::as_i64)
                    .ok_or_else(|| HardcoverError::Decode(format!("no count for {}", status.label())))?;
                counts.set(*status, n);
            }
        }
        Ok(counts)
    }

    async fn user_books_where(
        &self,
        filter: ops::user_books::user_books_bool_exp,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<UserBook>> {
        let vars = ops::user_books::Variables {
            where_: filter,
            limit: limit.clamp(1, MAX_PAGE),
            offset: offset.max(0),
            reads: self.reads_per_book,
        };
        Ok(convert::user_books(self.run::<ops::UserBooks>(vars).await?))
    }

    /// Every read of one of the user's books, newest first (one request).
    pub async fn user_book_reads(&self, user_id: i64, user_book_id: i64) -> Result<Vec<Read>> {
        let mut filter = user_filter(user_id, None);
        filter.id = Some(ops::user_books::Int_comparison_exp { eq: Some(user_book_id), ..Default::default() });
        let vars = ops::user_books::Variables { where_: filter, limit: 1, offset: 0, reads: MAX_PAGE };
        let books = convert::user_books(self.run::<ops::UserBooks>(vars).await?);
        Ok(books.into_iter().next().map(|ub| ub.reads).unwrap_or_default())
    }

    async fn all_user_books_where(&self, filter: ops::user_books::user_books_bool_exp) -> Result<Vec<UserBook>> {
        let mut all = Vec::new();
        loop {
            let page = self.user_books_where(filter.clone(), MAX_PAGE, all.len() as i64).await?;
            let done = (page.len() as i64) < MAX_PAGE;
            all.extend(page);
            if done {
                return Ok(all);
            }
        }
    }

    /// One page of the user's books, optionally on one shelf, oldest first (stable paging).
    pub async fn user_books(
        &self,
        user_id: i64,
        status: Option<ReadingStatus>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<UserBook>> {
        self.user_books_where(user_filter(user_id, status), limit, offset).await
    }

    /// Every page of [`Self::user_books`].
    pub async fn all_user_books(&self, user_id: i64, status: Option<ReadingStatus>) -> Result<Vec<UserBook>> {
        self.all_user_books_where(user_filter(user_id, status)).await
    }

    /// Every user book changed after `since` (incremental import).
    pub async fn user_books_since(&self, user_id: i64, since: DateTime<Utc>) -> Result<Vec<UserBook>> {
        let mut filter = user_filter(user_id, None);
        filter.updated_at = Some(ops::user_books::timestamptz_comparison_exp {
            gt: Some(since.to_rfc3339_opts(SecondsFormat::Micros, true)),
            ..Default::default()
        });
        self.all_user_books_where(filter).await
    }

    /// The user's rows for these books, so the sync keeps the edition they already chose.
    pub async fn user_books_for_books(&self, user_id: i64, book_ids: &[i64]) -> Result<Vec<UserBook>> {
        let mut ids = book_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut all = Vec::new();
        for chunk in ids.chunks(MAX_PAGE as usize) {
            let mut filter = user_filter(user_id, None);
            filter.book_id =
                Some(ops::user_books::Int_comparison_exp { in_: Some(chunk.to_vec()), ..Default::default() });
            all.extend(self.all_user_books_where(filter).await?);
        }
        Ok(all)
    }

    /// One page of the user's lists with their sizes.
    pub async fn lists(&self, user_id: i64, limit: i64, offset: i64) -> Result<Vec<List>> {
        let vars = ops::lists::Variables { user_id, limit: limit.clamp(1, MAX_PAGE), offset: offset.max(0) };
        Ok(convert::lists(self.run::<ops::Lists>(vars).await?))
    }

    pub async fn all_lists(&self, user_id: i64) -> Result<Vec<List>> {
        let mut all = Vec::new();
        loop {
            let page = self.lists(user_id, MAX_PAGE, all.len() as i64).await?;
            let done = (page.len() as i64) < MAX_PAGE;
            all.extend(page);
            if done {
                return Ok(all);
            }
        }
    }

    /// One page (≤ 100 rows) of a list, in list order.
    pub async fn list_books(&self, list_id: i64, limit: i64, offset: i64) -> Result<Vec<ListBook>> {
        let vars = ops::list_books::Variables { list_id, limit: limit.clamp(1, MAX_PAGE), offset: offset.max(0) };
        Ok(convert::list_books(self.run::<ops::ListBooks>(vars).await?))
    }

    pub async fn all_list_books(&self, list_id: i64) -> Result<Vec<ListBook>> {
        let mut all = Vec::new();
        loop {
            let page = self.list_books(list_id, MAX_PAGE, all.len() as i64).await?;
            let done = (page.len() as i64) < MAX_PAGE;
            all.extend(page);
            if done {
                return Ok(all);
            }
        }
    }

    /// Editions (with their book) for many ISBN-10/13s and ASINs in as few requests as the
    /// limits allow. Each edition appears once; match them back by their identifiers.
    pub async fn editions_by_identifiers(
        &self,
        isbns: &[impl AsRef<str>],
        asins: &[impl AsRef<str>],
    ) -> Result<Vec<Edition>> {
        let mut out: Vec<Edition> = Vec::new();
        for doc in batch::edition_lookup_documents(isbns, asins, self.ids_per_field) {
            let mut data = self.run_document(&doc).await?;
            for alias in &doc.aliases {
                let rows = data.get_mut(alias).map(Value::take).unwrap_or(Value::Array(Vec::new()));
                let rows: Vec<ops::editions::EditionFields> =
                    serde_json::from_value(rows).map_err(|e| HardcoverError::Decode(format!("{alias}: {e}")))?;
                for e in rows.into_iter().map(convert::edition_fields) {
                    if !out.iter().any(|o| o.id == e.id) {
                        out.push(e);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Up to 100 editions of a book, most read first.
    pub async fn book_editions(&self, book_id: i64) -> Result<Vec<Edition>> {
        let vars = ops::editions::Variables {
            where_: ops::editions::editions_bool_exp {
                book_id: Some(ops::editions::Int_comparison_exp { eq: Some(book_id), ..Default::default() }),
                ..Default::default()
            },
            limit: MAX_PAGE,
            offset: 0,
        };
        let data = self.run::<ops::Editions>(vars).await?;
        Ok(data.editions.into_iter().map(convert::edition_fields).collect())
    }

    /// Every edition of these books (`book_id _in`, 100 ids a field, paged 100 rows at a time):
    /// one request per page instead of one per book.
    pub async fn editions_of_books(&self, book_ids: &[i64]) -> Result<Vec<Edition>> {
        let mut ids = book_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut all = Vec::new();
        for chunk in ids.chunks(MAX_PAGE as usize) {
            let mut offset = 0;
            loop {
                let vars = ops::editions::Variables {
                    where_: ops::editions::editions_bool_exp {
                        book_id: Some(ops::editions::Int_comparison_exp {
                            in_: Some(chunk.to_vec()),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    limit: MAX_PAGE,
                    offset,
                };
                let page = self.run::<ops::Editions>(vars).await?.editions;
                let done = (page.len() as i64) < MAX_PAGE;
                offset += page.len() as i64;
                all.extend(page.into_iter().map(convert::edition_fields));
                if done {
                    break;
                }
            }
        }
        Ok(all)
    }

    /// Free-text book search (sent alone: Hardcover allows one `search` per operation).
    pub async fn search_books(&self, query: &str, page: i64, per_page: i64) -> Result<SearchResults> {
        let page = page.max(1);
        let vars = ops::search::Variables { query: query.to_owned(), page, per_page: per_page.clamp(1, MAX_PAGE) };
        let data = self.run::<ops::Search>(vars).await?;
        let search = data.search.ok_or_else(|| HardcoverError::Decode("search returned nothing".into()))?;
        if let Some(err) = search.error.filter(|e| !e.is_empty()) {
            return Err(HardcoverError::GraphQl { messages: vec![format!("search refused: {err}")] });
        }
        let results = search
            .results
            .filter(|r| !r.is_null())
            .ok_or_else(|| HardcoverError::GraphQl { messages: vec!["search returned no results object".into()] })?;
        // Accept the Typesense answer as an object or as JSON text.
        let results = match results {
            Value::String(text) => serde_json::from_str(&text)
                .map_err(|e| HardcoverError::Decode(format!("search results are not JSON: {e}")))?,
            other => other,
        };
        Ok(convert::search_results(&results, page))
    }

    /// Add a book to the library; returns the new user book id.
    pub async fn insert_user_book(&self, book: NewUserBook) -> Result<i64> {
        Ok(self.one(Mutation::InsertUserBook(book)).await?.id)
    }

    /// Add a book to the library: the new user book id, and the reads the server created with it
    /// (status 2 / 3 open or finish one by itself), newest first, when its answer showed them.
    pub async fn insert_user_book_with_reads(&self, book: NewUserBook) -> Result<(i64, Option<Vec<Read>>)> {
        let out = self.one(Mutation::InsertUserBook(book)).await?;
        Ok((out.id, out.reads))
    }

    /// Change only what `changes` sets; returns the user book id.
    pub async fn update_user_book(&self, id: i64, changes: UserBookChanges) -> Result<i64> {
        Ok(self.one(Mutation::UpdateUserBook { id, changes }).await?.id)
    }

    pub async fn delete_user_book(&self, id: i64) -> Result<i64> {
        Ok(self.one(Mutation::DeleteUserBook { id }).await?.id)
    }

    /// Add a read (only for a re-read: status changes create reads by themselves). Returns its id.
    pub async fn insert_user_book_read(&self, user_book_id: i64, read: DatesRead) -> Result<i64> {
        Ok(self.one(Mutation::InsertUserBookRead { user_book_id, read }).await?.id)
    }

    pub async fn update_user_book_read(&self, id: i64, read: DatesRead) -> Result<i64> {
        Ok(self.one(Mutation::UpdateUserBookRead { id, read }).await?.id)
    }

    pub async fn delete_user_book_read(&self, id: i64) -> Result<i64> {
        Ok(self.one(Mutation::DeleteUserBookRead { id }).await?.id)
    }

    /// Needs the `write:lists` scope. Returns the new list_book id.
    pub async fn insert_list_book(&self, row: NewListBook) -> Result<i64> {
        Ok(self.one(Mutation::InsertListBook(row)).await?.id)
    }

    pub async fn delete_list_book(&self, id: i64) -> Result<i64> {
        Ok(self.one(Mutation::DeleteListBook { id }).await?.id)
    }

    /// The user's journal entries of kind `event` (`quote` for highlights) for these books, all
    /// pages.
    pub async fn reading_journals(&self, user_id: i64, book_ids: &[i64], event: &str) -> Result<Vec<ReadingJournal>> {
        let mut all: Vec<ReadingJournal> = Vec::new();
        for chunk in book_ids.chunks(MAX_PAGE as usize) {
            let mut offset = 0;
            loop {
                let doc = batch::journal_document(user_id, chunk, event, MAX_PAGE, offset);
                let mut data = self.run_document(&doc).await?;
                let rows = data.get_mut("j0").map(Value::take).unwrap_or(Value::Array(Vec::new()));
                let page: Vec<ReadingJournal> = serde_json::from_value(rows)
                    .map_err(|e| HardcoverError::Decode(format!("reading_journals: {e}")))?;
                let done = (page.len() as i64) < MAX_PAGE;
                offset += page.len() as i64;
                all.extend(page);
                if done {
                    break;
                }
            }
        }
        Ok(all)
    }

    /// Add a journal entry; returns its id.
    pub async fn insert_reading_journal(&self, entry: NewReadingJournal) -> Result<i64> {
        Ok(self.one(Mutation::InsertReadingJournal(entry)).await?.id)
    }

    pub async fn update_reading_journal(&self, id: i64, changes: ReadingJournalChanges) -> Result<i64> {
        Ok(self.one(Mutation::UpdateReadingJournal { id, changes }).await?.id)
    }

    pub async fn delete_reading_journal(&self, id: i64) -> Result<i64> {
        Ok(self.one(Mutation::DeleteReadingJournal { id }).await?.id)
    }

    /// Put an edition on the user's "Owned" list; returns the list row's id.
    pub async fn edition_owned(&self, edition_id: i64) -> Result<i64> {
        Ok(self.one(Mutation::EditionOwned { id: edition_id }).await?.id)
    }

    /// Send one change. Its answer is checked: a non-null `error` or a missing id is a failure,
    /// never a success.
    async fn one(&self, m: Mutation) -> Result<MutationOutcome> {
        let doc = batch::mutation_document(&m);
        let raw = self.transport.post(&doc.body(), doc.top_level_fields() as u32).await?;
        let payload = raw.data.as_ref().filter(|d| !d.is_null()).and_then(|d| d.get(&doc.aliases[0]));
        match payload.filter(|p| !p.is_null()) {
            None if !raw.errors.is_empty() => Err(transport::graphql_error(&raw.errors)),
            payload => m.outcome(payload),
        }
    }
}

// By hand: the token provider must never be printed, and the URL is all a log line needs.
impl std::fmt::Debug for HardcoverClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HardcoverClient").field("api_url", &self.api_url.as_str()).finish_non_exhaustive()
    }
}

fn user_filter(user_id: i64, status: Option<ReadingStatus>) -> ops::user_books::user_books_bool_exp {
    ops::user_books::user_books_bool_exp {
        user_id: Some(ops::user_books::Int_comparison_exp { eq: Some(user_id), ..Default::default() }),
        status_id: status.map(|s| ops::user_books::Int_comparison_exp { eq: Some(s.id()), ..Default::default() }),
        ..Default::default()
    }
}
