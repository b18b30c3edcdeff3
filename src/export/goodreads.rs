//! Goodreads' library-export CSV, column for column, so Goodreads' and StoryGraph's importers take it.

use std::collections::HashMap;
use std::io::Write;

use crate::store::library::LibraryRow;

use super::{ExportError, status_slug};

/// Goodreads' export header, in its column order.
pub const GOODREADS_HEADER: [&str; 24] = [
    "Book Id",
    "Title",
    "Author",
    "Author l-f",
    "Additional Authors",
    "ISBN",
    "ISBN13",
    "My Rating",
    "Average Rating",
    "Publisher",
    "Binding",
    "Number of Pages",
    "Year Published",
    "Original Publication Year",
    "Date Read",
    "Date Added",
    "Bookshelves",
    "Bookshelves with positions",
    "Exclusive Shelf",
    "My Review",
    "Spoiler",
    "Private Notes",
    "Read Count",
    "Owned Copies",
];

pub(super) fn write(
    rows: &[LibraryRow],
    lists: &HashMap<i64, String>,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(), ExportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(GOODREADS_HEADER)?;
    let total = rows.len();
    for (i, row) in rows.iter().enumerate() {
        w.write_record(record(row, lists))?;
        if i % 500 == 499 || i + 1 == total {
            progress(i + 1, total);
        }
    }
    w.flush()?;
    Ok(())
}

fn record(row: &LibraryRow, lists: &HashMap<i64, String>) -> [String; 24] {
    let b = &row.book;
    let e = row.edition.as_ref();
    let author = b.authors.first().cloned().unwrap_or_default();
    let exclusive = status_slug(row).unwrap_or("to-read");
    // Goodreads keeps only to-read/currently-reading/read as exclusive shelves of its own; the other
    // statuses travel as shelves too, so importers that know them (StoryGraph: did-not-finish) use them.
    let mut shelves: Vec<String> = Vec::new();
    if !matches!(exclusive, "to-read" | "currently-reading" | "read") {
        shelves.push(exclusive.to_owned());
    }
    shelves.extend(row.list_ids.iter().filter_map(|id| lists.get(id)).map(|n| shelf_slug(n)));
    let with_positions =
        shelves.iter().enumerate().map(|(i, s)| format!("{s} (#{})", i + 1)).collect::<Vec<_>>().join(", ");
    // Goodreads ratings are whole stars; 3.5 becomes 4 (the JSON export keeps the half).
    let rating =
        row.user_book.as_ref().and_then(|u| u.rating).map(|r| (r.round() as i64).to_string()).unwrap_or("0".into());
    let isbn10 = e.and_then(|e| e.isbn_10.as_deref()).map(excel_text).unwrap_or_else(|| excel_text(""));
    let isbn13 = e.and_then(|e| e.isbn_13.as_deref()).map(excel_text).unwrap_or_else(|| excel_text(""));
    let binding = match e.and_then(|e| e.reading_format_id) {
        Some(2) => "Audiobook",
        Some(4) => "ebook",
        Some(1) | Some(3) => "Paperback",
        _ => "",
    };
    let pages = e.and_then(|e| e.pages).or(b.pages).map(|p| p.to_string()).unwrap_or_default();
    let year = b.release_year.map(|y| y.to_string()).unwrap_or_default();
    let finished_reads = row.reads.iter().filter(|r| r.finished_at.is_some()).count();
    [
        b.id.to_string(),
        b.title.clone(),
        author.clone(),
        last_first(&author),
        b.authors.iter().skip(1).cloned().collect::<Vec<_>>().join(", "),
        isbn10,
        isbn13,
        rating,
        String::new(),
        String::new(),
        binding.into(),
        pages,
        year.clone(),
        year,
        row.finished_at().map(goodreads_date).unwrap_or_default(),
        row.user_book.as_ref().and_then(|u| u.date_added.as_deref()).map(goodreads_date).unwrap_or_default(),
        shelves.join(", "),
        with_positions,
        exclusive.into(),
        String::new(),
        String::new(),
        String::new(),
        finished_reads.to_string(),
        if row.user_book.as_ref().is_some_and(|u| u.owned) { "1".into() } else { "0".into() },
    ]
}

/// Goodreads writes ISBNs as `="0441172717"` so spreadsheets keep leading zeros; importers expect it.
fn excel_text(s: &str) -> String {
    format!("=\"{s}\"")
}

/// `2024-03-05` or an RFC 3339 timestamp → `2024/03/05`.
fn goodreads_date(s: &str) -> String {
    s.get(..10).unwrap_or(s).replace('-', "/")
}

fn last_first(name: &str) -> String {
    let name = name.trim();
    match name.rsplit_once(' ') {
        Some((first, last)) => format!("{last}, {first}"),
        None => name.to_owned(),
    }
}

fn shelf_slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            s.extend(c.to_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    s.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(last_first("Ursula K. Le Guin"), "Guin, Ursula K. Le");
        assert_eq!(last_first("Plato"), "Plato");
        assert_eq!(goodreads_date("2024-03-05"), "2024/03/05");
        assert_eq!(goodreads_date("2024-03-05T10:00:00Z"), "2024/03/05");
        assert_eq!(shelf_slug("Sci-Fi  Favourites!"), "sci-fi-favourites");
        assert_eq!(excel_text("0441172717"), "=\"0441172717\"");
    }
}
