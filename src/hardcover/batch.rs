//! Operations built at run time: several root fields under aliases (`q0: editions(…)`) so one
//! HTTP request asks up to five things, and each change to send as a document of its own.
//!
//! Hardcover bills every top-level field as one request and refuses an operation with more than
//! five of them (or a `search` next to anything), so every document here has at most
//! [`MAX_TOP_LEVEL_FIELDS`] root fields. Everything is passed as variables, never spliced into
//! the text. `tests/hardcover/batch.rs` validates the documents against both schemas.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::error::HardcoverError;
use super::model::{
    DatesRead, NewListBook, NewReadingJournal, NewUserBook, Read, ReadingJournalChanges, ReadingStatus, UserBookChanges,
};
use super::{convert, ops};
use crate::identifiers;

/// Hardcover's limit on root fields per operation (aliases count).
pub const MAX_TOP_LEVEL_FIELDS: usize = 5;

/// Identifiers per `_in` list in one lookup field. Every field is billed as one request, so a
/// 1,000-book library must not take 40 of them; an identifier almost always names one edition, so
/// the answer stays near a hundred rows.
pub const DEFAULT_IDS_PER_FIELD: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    Query,
    Mutation,
}

/// One root field, its argument text referring to its own variables.
#[derive(Debug, Clone, PartialEq)]
pub struct RootField {
    /// `editions(where: {asin: {_in: $asins_3}}) { ...EditionFields }`, without the alias.
    pub call: String,
    /// (name without `$`, GraphQL type, value).
    pub variables: Vec<(String, &'static str, Value)>,
}

/// A ready-to-send operation.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchDocument {
    pub operation_name: String,
    pub query: String,
    pub variables: Map<String, Value>,
    /// The alias of each root field, in order.
    pub aliases: Vec<String>,
}

impl BatchDocument {
    pub fn top_level_fields(&self) -> usize {
        self.aliases.len()
    }

    /// The JSON body to POST.
    pub fn body(&self) -> Value {
        json!({"query": self.query, "variables": self.variables, "operationName": self.operation_name})
    }
}

/// One document from at most five root fields, aliased `{alias_prefix}{n}`.
pub fn build_document(
    kind: OperationKind,
    operation_name: &str,
    alias_prefix: &str,
    fields: &[RootField],
    fragments: &str,
) -> Result<BatchDocument, HardcoverError> {
    if fields.is_empty() || fields.len() > MAX_TOP_LEVEL_FIELDS {
        return Err(HardcoverError::InvalidRequest(format!(
            "an operation needs 1 to {MAX_TOP_LEVEL_FIELDS} top-level fields, got {}",
            fields.len()
        )));
    }
    let mut defs = Vec::new();
    let mut variables = Map::new();
    let mut body = String::new();
    let mut aliases = Vec::new();
    for (n, f) in fields.iter().enumerate() {
        for (name, ty, value) in &f.variables {
            if variables.insert(name.clone(), value.clone()).is_some() {
                return Err(HardcoverError::InvalidRequest(format!("variable ${name} defined twice")));
            }
            defs.push(format!("${name}: {ty}"));
        }
        let alias = format!("{alias_prefix}{n}");
        body.push_str(&format!("  {alias}: {}\n", f.call));
        aliases.push(alias);
    }
    let keyword = match kind {
        OperationKind::Query => "query",
        OperationKind::Mutation => "mutation",
    };
    let defs = if defs.is_empty() { String::new() } else { format!("({})", defs.join(", ")) };
    let mut query = format!("{keyword} {operation_name}{defs} {{\n{body}}}\n");
    if !fragments.is_empty() {
        query.push('\n');
        query.push_str(fragments);
    }
    Ok(BatchDocument { operation_name: operation_name.to_owned(), query, variables, aliases })
}

fn documents(
    kind: OperationKind,
    operation_name: &str,
    alias_prefix: &str,
    fields: Vec<RootField>,
    fragments: &str,
) -> Vec<BatchDocument> {
    fields
        .chunks(MAX_TOP_LEVEL_FIELDS)
        .map(|chunk| {
            build_document(kind, operation_name, alias_prefix, chunk, fragments).expect("chunks hold 1..=5 fields")
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Mutations

/// One change to send to Hardcover.
#[derive(Debug, Clone, PartialEq)]
pub enum Mutation {
    InsertUserBook(NewUserBook),
    UpdateUserBook {
        id: i64,
        changes: UserBookChanges,
    },
    DeleteUserBook {
        id: i64,
    },
    InsertUserBookRead {
        user_book_id: i64,
        read: DatesRead,
    },
    UpdateUserBookRead {
        id: i64,
        read: DatesRead,
    },
    DeleteUserBookRead {
        id: i64,
    },
    InsertListBook(NewListBook),
    DeleteListBook {
        id: i64,
    },
    InsertReadingJournal(NewReadingJournal),
    UpdateReadingJournal {
        id: i64,
        changes: ReadingJournalChanges,
    },
    DeleteReadingJournal {
        id: i64,
    },
    /// Put the edition on the user's "Owned" list.
    EditionOwned {
        id: i64,
    },
}

/// A mutation Hardcover confirmed: its payload's id (the new or changed row).
#[derive(Debug, Clone, PartialEq)]
pub struct MutationOutcome {
    pub field: &'static str,
    pub id: i64,
    /// `insert_user_book` only: the new book's reads as the answer showed them, newest first.
    /// Status 2 / 3 make the server open or finish the first read itself, so the sync can date
    /// that read without asking for it again. `None` when the answer did not show them.
    pub reads: Option<Vec<Read>>,
}

/// What `insert_user_book` selects: the reads the server created with the new book, with the
/// fields `user_books.graphql` selects (decoded into the same type).
const NEW_USER_BOOK_SELECTION: &str = "{ id error user_book { user_book_reads(order_by: [{ id: desc }]) { id \
    user_book_id edition_id progress progress_pages progress_seconds started_at finished_at paused_at } } }";

/// The reads under `user_book` in an insert's answer. Anything unexpected is `None`: the change
/// was made all the same, and the caller asks for the reads instead.
fn payload_reads(payload: &Value) -> Option<Vec<Read>> {
    let reads = payload.get("user_book")?.get("user_book_reads")?;
    let reads: Vec<convert::ReadRow> = serde_json::from_value(reads.clone()).ok()?;
    Some(reads.into_iter().map(convert::read).collect())
}

impl Mutation {
    pub fn field_name(&self) -> &'static str {
        match self {
            Self::InsertUserBook(_) => "insert_user_book",
            Self::UpdateUserBook { .. } => "update_user_book",
            Self::DeleteUserBook { .. } => "delete_user_book",
            Self::InsertUserBookRead { .. } => "insert_user_book_read",
            Self::UpdateUserBookRead { .. } => "update_user_book_read",
            Self::DeleteUserBookRead { .. } => "delete_user_book_read",
            Self::InsertListBook(_) => "insert_list_book",
            Self::DeleteListBook { .. } => "delete_list_book",
            Self::InsertReadingJournal(_) => "insert_reading_journal",
            Self::UpdateReadingJournal { .. } => "update_reading_journal",
            Self::DeleteReadingJournal { .. } => "delete_reading_journal",
            Self::EditionOwned { .. } => "edition_owned",
        }
    }

    /// Whether the payload type has an `error` field (the delete payloads and the list ones don't).
    fn has_error_field(&self) -> bool {
        !matches!(
            self,
            Self::DeleteUserBook { .. }
                | Self::InsertListBook(_)
                | Self::DeleteListBook { .. }
                | Self::DeleteReadingJournal { .. }
                | Self::EditionOwned { .. }
        ) && !self.has_errors_list()
    }

    /// The journal's payload reports refusals in `errors`, a list, instead.
    fn has_errors_list(&self) -> bool {
        matches!(self, Self::InsertReadingJournal(_) | Self::UpdateReadingJournal { .. })
    }

    fn root_field(&self, n: usize) -> RootField {
        let field = self.field_name();
        let selection = match self {
            Self::InsertUserBook(_) => NEW_USER_BOOK_SELECTION,
            _ if self.has_error_field() => "{ id error }",
            _ if self.has_errors_list() => "{ id errors }",
            _ => "{ id }",
        };
        let id = |v: i64| (format!("id_{n}"), "Int!", json!(v));
        let obj = |ty: &'static str, v: Value| (format!("object_{n}"), ty, v);
        let (args, variables) = match self {
            Self::InsertUserBook(o) => {
                (format!("object: $object_{n}"), vec![obj("UserBookCreateInput!", to_variable(o))])
            }
            Self::UpdateUserBook { id: i, changes } => (
                format!("id: $id_{n}, object: $object_{n}"),
                vec![id(*i), obj("UserBookUpdateInput!", to_variable(changes))],
            ),
            Self::DeleteUserBook { id: i }
            | Self::DeleteUserBookRead { id: i }
            | Self::DeleteListBook { id: i }
            | Self::DeleteReadingJournal { id: i }
            | Self::EditionOwned { id: i } => (format!("id: $id_{n}"), vec![id(*i)]),
            Self::InsertUserBookRead { user_book_id, read } => (
                format!("user_book_id: $id_{n}, user_book_read: $object_{n}"),
                vec![id(*user_book_id), obj("DatesReadInput!", to_variable(read))],
            ),
            Self::UpdateUserBookRead { id: i, read } => {
                (format!("id: $id_{n}, object: $object_{n}"), vec![id(*i), obj("DatesReadInput!", to_variable(read))])
            }
            Self::InsertListBook(o) => (format!("object: $object_{n}"), vec![obj("ListBookInput!", to_variable(o))]),
            Self::InsertReadingJournal(o) => {
                (format!("object: $object_{n}"), vec![obj("ReadingJournalCreateType!", to_variable(o))])
            }
            Self::UpdateReadingJournal { id: i, changes } => (
                format!("id: $id_{n}, object: $object_{n}"),
                vec![id(*i), obj("ReadingJournalUpdateType!", to_variable(changes))],
            ),
        };
        RootField { call: format!("{field}({args}) {selection}"), variables }
    }

    /// Read this mutation's payload: a non-null `error`, or no id, is a failure, never success.
    pub(crate) fn outcome(&self, payload: Option<&Value>) -> Result<MutationOutcome, HardcoverError> {
        let field = self.field_name();
        let fail = |message: String| HardcoverError::Mutation { field: field.to_owned(), message };
        let payload = match payload {
            Some(p) if !p.is_null() => p,
            _ => return Err(fail("Hardcover returned nothing: the change was not made".into())),
        };
        if let Some(err) = payload.get("error").filter(|e| !e.is_null()) {
            let message = err.as_str().map(str::to_owned).unwrap_or_else(|| err.to_string());
            return Err(fail(message));
        }
        if let Some(errors) = payload.get("errors").and_then(Value::as_array).filter(|e| !e.is_empty()) {
            let messages: Vec<String> =
                errors.iter().map(|e| e.as_str().map(str::to_owned).unwrap_or_else(|| e.to_string())).collect();
            return Err(fail(messages.join("; ")));
        }
        match payload.get("id").and_then(Value::as_i64) {
            Some(id) => {
                let reads = matches!(self, Self::InsertUserBook(_)).then(|| payload_reads(payload)).flatten();
                Ok(MutationOutcome { field, id, reads })
            }
            None => Err(fail("Hardcover returned no id: the change was not made".into())),
        }
    }
}

/// The document of one change, aliased `m0`. Changes go one to an operation: the sync sends
/// each step only after the one before it is confirmed (an insert's id, the read the server
/// opened), and it records each as sent, then done, so a lost answer affects one change.
pub fn mutation_document(mutation: &Mutation) -> BatchDocument {
    build_document(OperationKind::Mutation, "SyncChange", "m", &[mutation.root_field(0)], "").expect("one field")
}

// ---------------------------------------------------------------------------------------------
// The reading journal

/// One page of the user's journal entries of kind `event` for these books.
pub fn journal_document(user_id: i64, book_ids: &[i64], event: &str, limit: i64, offset: i64) -> BatchDocument {
    let field = RootField {
        call: "reading_journals(where: {user_id: {_eq: $user}, book_id: {_in: $books}, event: {_eq: $event}}, \
               limit: $limit, offset: $offset) { id book_id edition_id event entry action_at }"
            .to_owned(),
        variables: vec![
            ("user".into(), "Int!", json!(user_id)),
            ("books".into(), "[Int!]!", json!(book_ids)),
            ("event".into(), "String!", json!(event)),
            ("limit".into(), "Int!", json!(limit)),
            ("offset".into(), "Int!", json!(offset)),
        ],
    };
    build_document(OperationKind::Query, "ReadingJournals", "j", &[field], "").expect("one field")
}

// ---------------------------------------------------------------------------------------------
// Edition lookup by ISBN / ASIN

fn dedup_normalized(raw: &[impl AsRef<str>], normalize: fn(&str) -> Option<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in raw {
        if let Some(n) = normalize(r.as_ref())
            && !out.contains(&n)
        {
            out.push(n);
        }
    }
    out
}

/// The `EditionFields` fragment from `graphql/editions.graphql`, so batched lookups select (and
/// decode into) exactly what the `Editions` operation does.
pub fn edition_fields_fragment() -> &'static str {
    let q = ops::editions::QUERY;
    let start = q.find("fragment EditionFields").expect("editions.graphql defines EditionFields");
    let mut depth = 0usize;
    for (i, c) in q[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &q[start..=start + i];
                }
            }
            _ => {}
        }
    }
    panic!("EditionFields fragment in editions.graphql is unbalanced")
}

/// Editions for many ISBNs (matched against both `isbn_13` and `isbn_10`) and ASINs: `_in`
/// lists of at most `ids_per_field`, at most five fields per document. Invalid identifiers are
/// dropped; duplicates are sent once.
pub fn edition_lookup_documents(
    isbns: &[impl AsRef<str>],
    asins: &[impl AsRef<str>],
    ids_per_field: usize,
) -> Vec<BatchDocument> {
    let per = ids_per_field.max(1);
    let isbns = dedup_normalized(isbns, identifiers::isbn);
    let asins = dedup_normalized(asins, identifiers::asin);
    let mut fields = Vec::new();
    for chunk in isbns.chunks(per) {
        let n = fields.len() % MAX_TOP_LEVEL_FIELDS;
        fields.push(RootField {
            call: format!(
                "editions(where: {{_or: [{{isbn_13: {{_in: $isbns_{n}}}}}, {{isbn_10: {{_in: $isbns_{n}}}}}]}}) {{ ...EditionFields }}"
            ),
            variables: vec![(format!("isbns_{n}"), "[String!]", json!(chunk))],
        });
    }
    for chunk in asins.chunks(per) {
        let n = fields.len() % MAX_TOP_LEVEL_FIELDS;
        fields.push(RootField {
            call: format!("editions(where: {{asin: {{_in: $asins_{n}}}}}) {{ ...EditionFields }}"),
            variables: vec![(format!("asins_{n}"), "[String!]", json!(chunk))],
        });
    }
    documents(OperationKind::Query, "EditionsByIdentifiers", "e", fields, edition_fields_fragment())
}

// ---------------------------------------------------------------------------------------------
// Counts per status

/// `user_books_aggregate` per status: six fields, so two documents.
pub fn status_count_documents(user_id: i64) -> Vec<BatchDocument> {
    let fields = ReadingStatus::ALL
        .iter()
        .enumerate()
        .map(|(i, status)| {
            let n = i % MAX_TOP_LEVEL_FIELDS;
            RootField {
                call: format!(
                    "user_books_aggregate(where: {{user_id: {{_eq: $user_{n}}}, status_id: {{_eq: $status_{n}}}}}) {{ aggregate {{ count }} }}"
                ),
                variables: vec![
                    (format!("user_{n}"), "Int!", json!(user_id)),
                    (format!("status_{n}"), "Int!", json!(status.id())),
                ],
            }
        })
        .collect();
    documents(OperationKind::Query, "StatusCounts", "c", fields, "")
}

/// Anything serializable as a GraphQL variable value.
pub fn to_variable(v: &impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hardcover::model::Change;

    #[test]
    fn never_more_than_five_fields() {
        let doc = mutation_document(&Mutation::DeleteListBook { id: 5 });
        assert_eq!(doc.top_level_fields(), 1, "a change goes as an operation of its own");
        assert!(doc.query.contains("m0: delete_list_book(id: $id_0) { id }"), "{}", doc.query);
        assert_eq!(doc.variables["id_0"], json!(5), "the id is a variable, never spliced into the text");
        let too_many: Vec<RootField> = (0..6).map(|_| RootField { call: "x".into(), variables: vec![] }).collect();
        assert!(build_document(OperationKind::Query, "Q", "f", &too_many, "").is_err(), "6 fields must be refused");
    }

    #[test]
    fn lookups_split_identifiers() {
        // 23 valid ISBN-13s: the lookup sends only what has a right check digit.
        let valid = |i: u32| "0123456789X".chars().find_map(|c| identifiers::isbn10_to_13(&format!("{i:09}{c}")));
        let isbns: Vec<String> = (0..23).filter_map(valid).collect();
        assert_eq!(isbns.len(), 23, "precondition: every 9-digit body has one valid check digit");
        let docs = edition_lookup_documents(&isbns, &["B00ABCDEFG", "b00abcdefg", "bad"], 4);
        let sizes: Vec<usize> = docs.iter().map(BatchDocument::top_level_fields).collect();
        assert_eq!(sizes, vec![5, 2], "23 ISBNs by 4 = 6 fields, plus 1 ASIN field, in documents of ≤5");
        let sent: usize = docs
            .iter()
            .flat_map(|d| d.variables.iter().filter(|(k, _)| k.starts_with("isbns")))
            .map(|(_, v)| v.as_array().unwrap().len())
            .sum();
        assert_eq!(sent, 23, "every ISBN is asked exactly once");
        assert_eq!(docs[1].variables["asins_1"], json!(["B00ABCDEFG"]), "ASINs are normalized and deduplicated");
        assert!(docs[0].query.contains("fragment EditionFields on editions"));
    }

    #[test]
    fn mutation_errors_are_failures() {
        let m =
            Mutation::UpdateUserBookRead { id: 5, read: DatesRead { progress_pages: Some(3), ..Default::default() } };
        let err = m.outcome(Some(&json!({"id": 5, "error": "Edition not found"}))).expect_err("error set = failure");
        assert!(err.to_string().contains("Edition not found"), "the message must carry Hardcover's reason");
        assert!(m.outcome(Some(&json!({"id": null, "error": null}))).is_err(), "no id = nothing changed");
        assert!(m.outcome(None).is_err(), "no payload = nothing changed");
        assert_eq!(m.outcome(Some(&json!({"id": 5, "error": null}))).unwrap().id, 5);
        assert_eq!(m.outcome(Some(&json!({"id": 5, "error": null}))).unwrap().reads, None, "only inserts carry reads");
        let m = Mutation::UpdateUserBook {
            id: 1,
            changes: UserBookChanges { rating: Change::Clear, ..Default::default() },
        };
        let doc = &mutation_document(&m);
        assert_eq!(doc.variables["object_0"], json!({"rating": null}));
        assert!(doc.query.contains("{ id error }"), "mutations with an error field must select it");
    }

    #[test]
    fn an_insert_answer_carries_the_servers_first_read() {
        let m = Mutation::InsertUserBook(NewUserBook {
            status: Some(ReadingStatus::CurrentlyReading),
            ..NewUserBook::new(7)
        });
        assert!(mutation_document(&m).query.contains("user_book_reads"));
        let answer = json!({"id": 9, "error": null, "user_book": {"user_book_reads": [
            {"id": 31, "user_book_id": 9, "edition_id": 4, "progress": "12.5", "progress_pages": 10,
             "progress_seconds": null, "started_at": "2026-03-01", "finished_at": null, "paused_at": null}]}});
        let out = m.outcome(Some(&answer)).unwrap();
        let reads = out.reads.expect("the answer's reads must be kept");
        assert_eq!(
            (reads[0].id, reads[0].progress, reads[0].started_at),
            (31, Some(12.5), chrono::NaiveDate::from_ymd_opt(2026, 3, 1))
        );
        let odd = json!({"id": 9, "error": null, "user_book": {"user_book_reads": "?"}});
        let out = m.outcome(Some(&odd)).expect("an odd answer still means the book was added");
        assert_eq!((out.id, out.reads), (9, None), "reads that cannot be read are unknown, not empty");
    }

    #[test]
    fn status_counts_need_two_documents() {
        let docs = status_count_documents(7);
        assert_eq!(docs.iter().map(BatchDocument::top_level_fields).collect::<Vec<_>>(), vec![5, 1]);
        assert_eq!(docs[1].variables["status_0"], json!(6));
    }
}
