//! The reading journal (highlights as `quote` entries, notes, …) and marking an edition owned.

use serde_json::{Map, Value, json};

use super::args::{opt_date, opt_int};
use super::user_books::check_edition;
use crate::hardcover::graphql::GqlError;
use crate::hardcover::state::{Db, List, ListBook, ReadingJournal};

/// Hardcover's privacy settings: 1 public, 2 followers, 3 private.
const PRIVACY: std::ops::RangeInclusive<i64> = 1..=3;

pub(super) fn insert_journal(
    db: &mut Db,
    user: i64,
    input: &Map<String, Value>,
) -> Result<Result<i64, String>, GqlError> {
    let required = |k: &str| {
        input
            .get(k)
            .filter(|v| !v.is_null())
            .ok_or_else(|| GqlError::validation("$", format!("missing required field '{k}'")))
    };
    let book_id =
        required("book_id")?.as_i64().ok_or_else(|| GqlError::validation("$", "expected an Int for 'book_id'"))?;
    let event = required("event")?
        .as_str()
        .ok_or_else(|| GqlError::validation("$", "expected a String for 'event'"))?
        .to_owned();
    let privacy = required("privacy_setting_id")?
        .as_i64()
        .ok_or_else(|| GqlError::validation("$", "expected an Int for 'privacy_setting_id'"))?;
    check_tags(input.get("tags").ok_or_else(|| GqlError::validation("$", "missing required field 'tags'"))?)?;
    if !db.books.contains_key(&book_id) {
        return Ok(Err(format!("Book {book_id} not found")));
    }
    if !PRIVACY.contains(&privacy) {
        return Ok(Err(format!("Privacy setting {privacy} is not valid")));
    }
    let edition_id = opt_int(input, "edition_id")?.flatten();
    if let Err(e) = check_edition(db, book_id, edition_id) {
        return Ok(Err(e));
    }
    let now = db.now_timestamp();
    let action_at = match opt_date(input, "action_at")?.flatten() {
        Some(d) => format!("{d}T00:00:00+00:00"),
        None => now.clone(),
    };
    Ok(Ok(db.add_journal(ReadingJournal {
        id: 0,
        user_id: user,
        book_id,
        edition_id,
        event,
        entry: input.get("entry").and_then(Value::as_str).map(str::to_owned),
        action_at,
        metadata: input.get("metadata").cloned().unwrap_or(json!({})),
        privacy_setting_id: privacy,
        object_type: "ReadingJournal".into(),
        likes_count: 0,
        created_at: now.clone(),
        updated_at: now,
    })))
}

pub(super) fn update_journal(
    db: &mut Db,
    user: i64,
    id: i64,
    input: &Map<String, Value>,
) -> Result<Result<i64, String>, GqlError> {
    if input.contains_key("book_id") {
        return Err(GqlError::not_found("book_id", "ReadingJournalUpdateType"));
    }
    if let Some(tags) = input.get("tags").filter(|t| !t.is_null()) {
        check_tags(tags)?;
    }
    if db.journal_owner(id) != Some(user) {
        return Ok(Err(format!("Reading journal {id} not found")));
    }
    let action_at = opt_date(input, "action_at")?.flatten();
    let edition_id = opt_int(input, "edition_id")?;
    let privacy = opt_int(input, "privacy_setting_id")?.flatten();
    if privacy.is_some_and(|p| !PRIVACY.contains(&p)) {
        return Ok(Err(format!("Privacy setting {} is not valid", privacy.unwrap_or_default())));
    }
    let book_id = db.journals[&id].book_id;
    if let Some(e) = edition_id
        && let Err(err) = check_edition(db, book_id, e)
    {
        return Ok(Err(err));
    }
    let now = db.now_timestamp();
    let j = db.journals.get_mut(&id).expect("ownership was just checked");
    if let Some(d) = action_at {
        j.action_at = format!("{d}T00:00:00+00:00");
    }
    if let Some(e) = edition_id {
        j.edition_id = e;
    }
    if let Some(p) = privacy {
        j.privacy_setting_id = p;
    }
    if let Some(v) = input.get("entry") {
        j.entry = v.as_str().map(str::to_owned);
    }
    if let Some(v) = input.get("event").and_then(Value::as_str) {
        j.event = v.to_owned();
    }
    if let Some(v) = input.get("metadata") {
        j.metadata = v.clone();
    }
    j.updated_at = now;
    Ok(Ok(id))
}

/// `[BasicTag]!` with `BasicTag {category!, spoiler!, tag!}`.
fn check_tags(tags: &Value) -> Result<(), GqlError> {
    let list = tags.as_array().ok_or_else(|| GqlError::validation("$", "expected a list for 'tags'"))?;
    for t in list {
        let o = t.as_object().ok_or_else(|| GqlError::validation("$", "expected a BasicTag object in 'tags'"))?;
        if let Some(k) = o.keys().find(|k| !["category", "spoiler", "tag"].contains(&k.as_str())) {
            return Err(GqlError::not_found(k, "BasicTag"));
        }
        for k in ["category", "spoiler", "tag"] {
            if !o.contains_key(k) {
                return Err(GqlError::validation("$", format!("missing required field '{k}' in BasicTag")));
            }
        }
    }
    Ok(())
}

/// `edition_owned(id)`: the edition goes on the user's "Owned" list (made on first use). Asking
/// again answers with the row already there rather than adding the edition twice.
pub(super) fn edition_owned(db: &mut Db, user: i64, edition_id: i64) -> Result<i64, GqlError> {
    let book_id = db
        .editions
        .get(&edition_id)
        .map(|e| e.book_id)
        .ok_or_else(|| GqlError::unexpected(format!("edition {edition_id} not found")))?;
    let list_id = match db.lists_of(user).iter().find(|l| l.name == "Owned") {
        Some(l) => l.id,
        None => {
            let now = db.now_timestamp();
            db.add_list(List {
                id: 0,
                user_id: user,
                name: "Owned".into(),
                slug: String::new(),
                description: None,
                privacy_setting_id: 1,
                ranked: false,
                public: true,
                default_view: "card".into(),
                created_at: now.clone(),
                updated_at: now,
            })
        }
    };
    if let Some(existing) = db.list_books_of(list_id).iter().find(|lb| lb.edition_id == Some(edition_id)) {
        return Ok(existing.id);
    }
    let now = db.now_timestamp();
    Ok(db.add_list_book(ListBook {
        id: 0,
        list_id,
        book_id,
        edition_id: Some(edition_id),
        position: None,
        date_added: now.clone(),
        created_at: now,
    }))
}
