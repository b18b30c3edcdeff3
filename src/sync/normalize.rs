//! Title and author normalization for the free-text match.
//!
//! Reading servers and Hardcover spell the same book differently: "The Way of Kings: The
//! Stormlight Archive, Book 1" vs "Way of Kings (Stormlight Archive #1)", "Sanderson, Brandon" vs
//! "Brandon Sanderson". Both sides go through the same functions so they compare equal.

/// Articles dropped from the start of a title (English, and the common European ones that show up
/// in mixed libraries).
const LEADING_ARTICLES: &[&str] = &["the", "a", "an", "der", "die", "das", "le", "la", "les", "el", "il"];

/// Words that introduce a series position: "Book 1", "Vol. 2", "#3".
const SERIES_WORDS: &[&str] = &["book", "vol", "volume", "part", "tome", "band", "novel"];

/// The comparable core of a title: lower case, no subtitle, no series marker, no punctuation, no
/// leading article.
pub fn title(raw: &str) -> String {
    let mut t = raw.to_lowercase();
    // Bracketed parts are series markers or edition notes: "(The Expanse, #1)", "[Unabridged]".
    t = strip_bracketed(&t);
    // Subtitles: "Dune: Deluxe Edition", "Mistborn - The Final Empire". Only cut when something
    // is left, so a title that starts with a colon is not erased.
    for sep in [":", " - ", " – ", " — "] {
        if let Some(pos) = t.find(sep)
            && !t[..pos].trim().is_empty()
        {
            t.truncate(pos);
        }
    }
    let mut words = words(&t);
    strip_series_tail(&mut words);
    if words.len() > 1 && LEADING_ARTICLES.contains(&words[0].as_str()) {
        words.remove(0);
    }
    words.join(" ")
}

/// An author as "first last" word list, whatever order the source used.
pub fn author(raw: &str) -> String {
    let raw = raw.to_lowercase();
    // "Last, First" (one comma) → "First Last". Several commas are a list, left to the caller.
    let reordered = match raw.split_once(',') {
        Some((last, first)) if !first.contains(',') && !first.trim().is_empty() => format!("{} {}", first, last),
        _ => raw,
    };
    words(&reordered).join(" ")
}

/// The family name (last word) of a normalized author, the part two spellings agree on most.
pub fn surname(normalized_author: &str) -> &str {
    normalized_author.rsplit(' ').next().unwrap_or("")
}

fn strip_bracketed(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    // Nothing outside the brackets: the brackets were the title.
    if out.trim().is_empty() { s.to_string() } else { out }
}

/// Lower-case alphanumeric words; "&" reads as "and"; apostrophes join ("Ender's" → "enders").
fn words(s: &str) -> Vec<String> {
    let mut cleaned = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\'' | '’' | '.' => {}
            '&' => cleaned.push_str(" and "),
            c if c.is_alphanumeric() => cleaned.extend(fold(c)),
            _ => cleaned.push(' '),
        }
    }
    cleaned.split_whitespace().map(str::to_string).collect()
}

/// Drop the accents a server may or may not keep ("Brontë" / "Bronte").
fn fold(c: char) -> impl Iterator<Item = char> {
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    };
    let extra = if c == 'ß' { Some('s') } else { None };
    std::iter::once(if c == 'ß' { 's' } else { base }).chain(extra)
}

/// "…, Book 1" / "… #2" / "… vol 3" at the end of a title.
fn strip_series_tail(words: &mut Vec<String>) {
    let is_number = |w: &str| w.chars().all(|c| c.is_ascii_digit()) || roman(w);
    if words.len() > 2 && is_number(words[words.len() - 1].as_str()) {
        let before = words[words.len() - 2].as_str();
        if SERIES_WORDS.contains(&before) {
            words.truncate(words.len() - 2);
        }
    }
}

fn roman(w: &str) -> bool {
    !w.is_empty() && w.len() <= 4 && w.chars().all(|c| matches!(c, 'i' | 'v' | 'x'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_that_name_the_same_book_normalize_equal() {
        let cases = [
            ("The Way of Kings: The Stormlight Archive, Book 1", "Way of Kings (Stormlight Archive #1)"),
            ("Leviathan Wakes (The Expanse, #1)", "leviathan wakes"),
            ("Ender's Game", "Enders Game"),
            ("Pride & Prejudice", "Pride and Prejudice"),
            ("Jane Eyre", "JANE EYRE [Unabridged]"),
            ("Mistborn - The Final Empire", "Mistborn"),
            ("A Game of Thrones", "Game of Thrones"),
            ("Les Misérables", "Les Miserables"),
            ("Project Hail Mary, Book 1", "Project Hail Mary"),
        ];
        for (a, b) in cases {
            assert_eq!(title(a), title(b), "{a:?} and {b:?} are the same book and must normalize equal");
        }
    }

    #[test]
    fn normalization_keeps_titles_that_differ_apart() {
        assert_ne!(title("Dune"), title("Dune Messiah"), "different books must stay different");
        assert_eq!(title("The"), "the", "a one-word title must not be erased by the article rule");
        assert_eq!(title("(Untitled)"), "untitled", "a fully bracketed title must not be erased");
        assert_eq!(title("1984"), "1984", "a numeric title is not a series marker");
    }

    #[test]
    fn author_name_order_does_not_matter() {
        assert_eq!(
            author("Sanderson, Brandon"),
            author("Brandon Sanderson"),
            "\"Last, First\" must equal \"First Last\""
        );
        assert_eq!(author("Le Guin, Ursula K."), "ursula k le guin");
        assert_eq!(surname(&author("Tolkien, J. R. R.")), "tolkien");
    }
}
