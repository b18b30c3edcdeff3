//! Highlights → the Hardcover reading journal, for one source item: which entries to add, edit or
//! delete (pure), and how an unanswered journal write is recognised on Hardcover afterwards.
//!
//! Each highlight is one `quote` entry: the highlighted text, then the note after a separator
//! line; `action_at` is the day it was made; the position goes in `metadata` as peers write it.
//! The device's stable key is stored with the entry id Hardcover returned (`journal_entries`), so
//! a highlight is sent once; an edited note updates its entry; a highlight removed on the device
//! is left on Hardcover unless the user asked for removed highlights to be deleted.

use serde_json::{Value, json};

use super::plan::{Quote, Step};
use super::port::{JournalEntry, RemoteEntry};
use super::progress::Zone;
use crate::config::JournalPrivacy;
use crate::sources::model::Highlight;
use crate::store::journal::JournalRow;

/// The user's journal settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalPolicy {
    pub privacy: JournalPrivacy,
    /// Delete the entry of a highlight removed on the device (off: it stays on Hardcover).
    pub delete_removed: bool,
}

/// The journal writes for one item, and what to remember without writing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JournalPlan {
    pub steps: Vec<Step>,
    /// Keys of highlights gone from the device whose entries stay on Hardcover.
    pub removed: Vec<String>,
    pub added: u32,
    pub updated: u32,
    pub deleted: u32,
}

impl JournalPlan {
    /// "2 highlights to add to your reading journal, 1 to update": for the plan's notes.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.added > 0 {
            let noun = if self.added == 1 { "highlight" } else { "highlights" };
            parts.push(format!("{} {noun} to add to your reading journal", self.added));
        }
        if self.updated > 0 {
            parts.push(format!("{} edited to update", self.updated));
        }
        if self.deleted > 0 {
            parts.push(format!("{} removed on the device to delete", self.deleted));
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// Plan the journal of one item matched to `book_id` (`edition_id`: the matched edition).
/// `highlights` are the item's highlights on the device now; `sent` what was sent before.
pub fn plan_item(
    highlights: &[&Highlight],
    sent: &[JournalRow],
    book_id: i64,
    edition_id: Option<i64>,
    policy: JournalPolicy,
    zone: Zone,
) -> JournalPlan {
    let mut out = JournalPlan::default();
    for h in highlights {
        let quote = quote_of(h, book_id, edition_id, policy.privacy, zone);
        match sent.iter().find(|s| s.key == h.key) {
            None => {
                out.added += 1;
                out.steps.push(Step::Quote { quote, journal_id: None });
            }
            // An entry stays on the book it was made for: a highlight whose item was linked to
            // another book since is not moved (the journal cannot change an entry's book).
            Some(s) if s.book_id != book_id => {}
            Some(s) if s.entry != quote.journal.entry => {
                out.updated += 1;
                out.steps.push(Step::Quote { quote, journal_id: Some(s.journal_id) });
            }
            Some(_) => {}
        }
    }
    for s in sent.iter().filter(|s| !highlights.iter().any(|h| h.key == s.key)) {
        if policy.delete_removed {
            out.deleted += 1;
            out.steps.push(Step::Unquote { key: s.key.clone(), journal_id: s.journal_id });
        } else if s.removed_at.is_none() {
            out.removed.push(s.key.clone());
        }
    }
    out
}

/// A highlight as its journal entry.
pub fn quote_of(h: &Highlight, book_id: i64, edition_id: Option<i64>, privacy: JournalPrivacy, zone: Zone) -> Quote {
    Quote {
        key: h.key.clone(),
        journal: JournalEntry {
            book_id,
            edition_id,
            entry: h.entry(),
            action_at: h.created_at.map(|t| zone.date_of(t)),
            metadata: metadata(h),
            privacy: privacy.id(),
        },
        highlight: h.text.clone(),
        note: h.note.clone(),
        chapter: h.chapter.clone(),
        made_at: h.created_at,
    }
}

/// `{"position": {"type": "pages", "value": N, "percent": P}}` as peers write it, with the
/// chapter when the device names it.
fn metadata(h: &Highlight) -> Value {
    let percent = h.fraction.map(|f| (f * 1000.0).round() / 10.0);
    let mut meta = serde_json::Map::new();
    let position = match (h.page, percent) {
        (Some(page), percent) => Some(json!({"type": "pages", "value": page, "percent": percent})),
        (None, Some(percent)) => Some(json!({"type": "percent", "value": percent, "percent": percent})),
        (None, None) => None,
    };
    if let Some(p) = position {
        meta.insert("position".into(), p);
    }
    if let Some(c) = &h.chapter {
        meta.insert("chapter".into(), json!(c));
    }
    Value::Object(meta)
}

/// What the store keeps once Hardcover confirmed `journal_id` for the quote.
pub fn row_of(source: &str, item_id: &str, journal_id: i64, q: &Quote) -> JournalRow {
    JournalRow {
        source: source.to_owned(),
        item_id: item_id.to_owned(),
        key: q.key.clone(),
        book_id: q.journal.book_id,
        edition_id: q.journal.edition_id,
        journal_id,
        entry: q.journal.entry.clone(),
        highlight: q.highlight.clone(),
        note: q.note.clone(),
        chapter: q.chapter.clone(),
        made_at: q.made_at,
        removed_at: None,
    }
}

/// Whether a journal step sent without an answer is on Hardcover now; for a new entry, the id it
/// got (matched on book, text and day, as a peer does: the key is ours, not Hardcover's).
pub fn on_hardcover(step: &Step, remote: &[RemoteEntry]) -> Option<i64> {
    match step {
        Step::Quote { quote, journal_id: None } => remote
            .iter()
            .filter(|r| r.book_id == quote.journal.book_id && r.entry == quote.journal.entry)
            .find(|r| quote.journal.action_at.is_none() || r.action_at == quote.journal.action_at)
            .map(|r| r.id),
        Step::Quote { quote, journal_id: Some(id) } => {
            remote.iter().any(|r| r.id == *id && r.entry == quote.journal.entry).then_some(*id)
        }
        Step::Unquote { journal_id, .. } => (!remote.iter().any(|r| r.id == *journal_id)).then_some(*journal_id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn highlight(key: &str, note: Option<&str>) -> Highlight {
        Highlight {
            item_id: "book".into(),
            key: key.into(),
            text: format!("text of {key}"),
            note: note.map(Into::into),
            created_at: Some(Utc.with_ymd_and_hms(2026, 11, 3, 20, 1, 2).unwrap()),
            updated_at: None,
            chapter: Some("One".into()),
            page: Some(12),
            fraction: Some(0.25),
        }
    }

    fn sent(h: &Highlight, id: i64) -> JournalRow {
        row_of("kobo", "book", id, &quote_of(h, 7, Some(70), JournalPrivacy::Private, Zone::utc()))
    }

    const POLICY: JournalPolicy = JournalPolicy { privacy: JournalPrivacy::Private, delete_removed: false };

    #[test]
    fn a_new_highlight_is_one_private_quote_with_the_note_after_a_separator() {
        let h = highlight("a", Some("my note"));
        let p = plan_item(&[&h], &[], 7, Some(70), POLICY, Zone::utc());
        assert_eq!(p.added, 1, "one entry per highlight");
        let Step::Quote { quote, journal_id: None } = &p.steps[0] else { panic!("a new entry: {p:?}") };
        assert_eq!(quote.journal.entry, "text of a\n\n---\n\nmy note", "the note follows a separator line");
        assert_eq!(quote.journal.privacy, 3, "highlights are private unless the user chose otherwise");
        assert_eq!(quote.journal.action_at, Some("2026-11-03".parse().unwrap()), "action_at is the day it was made");
        assert_eq!(quote.journal.edition_id, Some(70), "on the matched edition");
        assert_eq!(quote.journal.metadata["position"]["value"], 12, "the position goes in metadata");
    }

    #[test]
    fn a_sent_highlight_is_not_sent_again_and_an_edited_note_updates_its_entry() {
        let h = highlight("a", None);
        let p = plan_item(&[&h], &[sent(&h, 900)], 7, Some(70), POLICY, Zone::utc());
        assert!(p.steps.is_empty(), "an unchanged highlight already sent writes nothing: {p:?}");
        let edited = highlight("a", Some("added later"));
        let p = plan_item(&[&edited], &[sent(&h, 900)], 7, Some(70), POLICY, Zone::utc());
        assert!(
            matches!(&p.steps[..], [Step::Quote { journal_id: Some(900), .. }]),
            "an edited note updates the entry it made: {p:?}"
        );
    }

    #[test]
    fn a_removed_highlight_is_left_on_hardcover_unless_asked() {
        let h = highlight("a", None);
        let p = plan_item(&[], &[sent(&h, 900)], 7, Some(70), POLICY, Zone::utc());
        assert!(p.steps.is_empty(), "nothing is deleted by default: {p:?}");
        assert_eq!(p.removed, vec!["a".to_owned()], "the removal is remembered");
        let delete = JournalPolicy { delete_removed: true, ..POLICY };
        let p = plan_item(&[], &[sent(&h, 900)], 7, Some(70), delete, Zone::utc());
        assert!(matches!(&p.steps[..], [Step::Unquote { journal_id: 900, .. }]), "deleted when asked: {p:?}");
    }

    #[test]
    fn an_unanswered_entry_is_recognised_by_book_text_and_day() {
        let h = highlight("a", None);
        let q = quote_of(&h, 7, None, JournalPrivacy::Private, Zone::utc());
        let step = Step::Quote { quote: q.clone(), journal_id: None };
        let remote = |day: &str, entry: &str| RemoteEntry {
            id: 5,
            book_id: 7,
            entry: entry.into(),
            action_at: Some(day.parse().unwrap()),
        };
        assert_eq!(on_hardcover(&step, &[remote("2026-11-03", &q.journal.entry)]), Some(5));
        assert_eq!(on_hardcover(&step, &[remote("2026-11-04", &q.journal.entry)]), None, "another day: another quote");
        assert_eq!(on_hardcover(&step, &[remote("2026-11-03", "other")]), None, "other text: not ours");
    }
}
