//! KOReader positions for write-back.
//!
//! KOReader applies a synced `progress` literally as its own position and never falls back to
//! `percentage`: an xpointer for EPUB and other reflowable documents, the page number (as a
//! string) for paged ones. So writing back a fraction needs the user's file: the EPUB's spine to
//! find the chapter (`/body/DocFragment[N]/body`, N the 1-based spine item), or the document's
//! page count. When neither can be had, nothing is written (see [`Unplaceable`]).

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use super::epub;

/// Why a fraction cannot be turned into a position KOReader can open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unplaceable(pub String);

/// KOReader's percentage: `floor(x·10⁴)/10⁴`, as its sync plugin sends it.
pub fn koreader_percentage(fraction: f64) -> f64 {
    (fraction.clamp(0.0, 1.0) * 10_000.0).floor() / 10_000.0
}

/// The `progress` KOReader opens for `fraction` of the book at `path`.
pub fn locate(path: &Path, fraction: f64) -> Result<String, Unplaceable> {
    let fraction = fraction.clamp(0.0, 1.0);
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let open = || {
        File::open(path)
            .map(BufReader::new)
            .map_err(|e| Unplaceable(format!("the book file {} cannot be read: {e}", path.display())))
    };
    match ext.as_str() {
        "epub" | "kepub" => {
            let weights = epub::spine_text_lengths(open()?)
                .map_err(|e| Unplaceable(format!("{} has no readable spine: {e}", path.display())))?;
            xpointer(&weights, fraction)
                .ok_or_else(|| Unplaceable(format!("{} has no text in its spine", path.display())))
        }
        "pdf" => {
            let mut bytes = Vec::new();
            open()?
                .take(MAX_PDF)
                .read_to_end(&mut bytes)
                .map_err(|e| Unplaceable(format!("the book file {} cannot be read: {e}", path.display())))?;
            let pages = pdf_page_count(&bytes)
                .ok_or_else(|| Unplaceable(format!("the page count of {} cannot be read", path.display())))?;
            Ok(page(pages, fraction).to_string())
        }
        "cbz" => {
            let pages = cbz_page_count(open()?)
                .ok_or_else(|| Unplaceable(format!("{} holds no page images", path.display())))?;
            Ok(page(pages, fraction).to_string())
        }
        _ => Err(Unplaceable(format!(
            "no KOReader position can be computed for .{ext} files (EPUB, PDF and CBZ can be placed)"
        ))),
    }
}

/// PDFs are read whole to find their page tree; past this size we give up rather than stall.
const MAX_PDF: u64 = 256 * 1024 * 1024;

/// The 1-based page KOReader shows `fraction` of the way through `pages` pages (its own
/// percentage is `page / pages`).
pub fn page(pages: u32, fraction: f64) -> u32 {
    ((f64::from(pages) * fraction).round() as u32).clamp(1, pages.max(1))
}

/// `/body/DocFragment[N]/body` for the spine item holding `fraction` of the text, spine items
/// weighted by their text length. `None` when the spine holds no text at all.
pub fn xpointer(text_lengths: &[u64], fraction: f64) -> Option<String> {
    let total: u64 = text_lengths.iter().sum();
    if total == 0 {
        return None;
    }
    let target = (total as f64 * fraction) as u64;
    let mut end = 0u64;
    let mut last_with_text = 0;
    for (i, len) in text_lengths.iter().enumerate() {
        if *len == 0 {
            continue;
        }
        last_with_text = i;
        end += len;
        if target < end {
            return Some(format!("/body/DocFragment[{}]/body", i + 1));
        }
    }
    Some(format!("/body/DocFragment[{}]/body", last_with_text + 1))
}

/// The page count of a PDF: the largest `/Count` of a `/Type /Pages` node (the root of the page
/// tree counts every page), in the file's plain objects or, for PDF 1.5+ files that keep their
/// page tree in compressed object streams, inside their Flate streams.
pub fn pdf_page_count(pdf: &[u8]) -> Option<u32> {
    pages_in(pdf).or_else(|| {
        let mut budget = MAX_INFLATED;
        flate_streams(pdf).filter_map(|s| inflate(s, &mut budget)).filter_map(|d| pages_in(&d)).max()
    })
}

/// Inflated stream data read in all, past which a PDF is not searched further.
const MAX_INFLATED: usize = 64 * 1024 * 1024;

/// The raw data of each stream whose dictionary names `/FlateDecode`.
fn flate_streams(pdf: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut at = 0;
    std::iter::from_fn(move || {
        loop {
            let i = find(&pdf[at..], b"stream")? + at;
            at = i + 6;
            // `endstream` contains `stream`: skip it.
            if i >= 3 && &pdf[i - 3..i] == b"end" {
                continue;
            }
            let dict_start = pdf[..i].windows(2).rposition(|w| w == b"<<").unwrap_or(0);
            let flate = find(&pdf[dict_start..i], b"/FlateDecode").is_some();
            let mut start = at;
            if pdf.get(start) == Some(&b'\r') {
                start += 1;
            }
            if pdf.get(start) == Some(&b'\n') {
                start += 1;
            }
            let end = find(&pdf[start..], b"endstream").map_or(pdf.len(), |j| start + j);
            at = end;
            if flate {
                return Some(&pdf[start..end]);
            }
        }
    })
}

fn inflate(data: &[u8], budget: &mut usize) -> Option<Vec<u8>> {
    if *budget == 0 {
        return None;
    }
    let mut out = Vec::new();
    // A stream may end in garbage (trailing EOL before `endstream`): keep what inflated.
    let _ = flate2::read::ZlibDecoder::new(data).take(*budget as u64).read_to_end(&mut out);
    *budget = budget.saturating_sub(out.len());
    (!out.is_empty()).then_some(out)
}

fn pages_in(pdf: &[u8]) -> Option<u32> {
    let mut best: Option<u32> = None;
    let mut at = 0;
    while let Some(i) = find(&pdf[at..], b"/Type") {
        let start = at + i;
        at = start + 5;
        let rest = skip_ws(&pdf[at..]);
        if !(rest.starts_with(b"/Pages") && rest.get(6).is_none_or(|b| !b.is_ascii_alphanumeric())) {
            continue;
        }
        // The dictionary around this `/Type /Pages`: from the `<<` before it to the `>>` after.
        let open = pdf[..start].windows(2).rposition(|w| w == b"<<").unwrap_or(0);
        let close = find(&pdf[start..], b">>").map_or(pdf.len(), |j| start + j);
        let dict = &pdf[open..close];
        if let Some(c) = find(dict, b"/Count") {
            let digits: Vec<u8> = skip_ws(&dict[c + 6..]).iter().copied().take_while(u8::is_ascii_digit).collect();
            if let Some(n) = std::str::from_utf8(&digits).ok().and_then(|s| s.parse::<u32>().ok()) {
                best = Some(best.map_or(n, |b| b.max(n)));
            }
        }
    }
    best.filter(|n| *n > 0)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn skip_ws(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// The pages of a comic book archive: its image entries (KOReader pages through them in name order).
pub fn cbz_page_count<R: Read + Seek>(reader: R) -> Option<u32> {
    let zip = zip::ZipArchive::new(reader).ok()?;
    let n = zip
        .file_names()
        .filter(|n| {
            let n = n.to_ascii_lowercase();
            !n.starts_with("__macosx/")
                && [".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"].iter().any(|e| n.ends_with(e))
        })
        .count();
    u32::try_from(n).ok().filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentage_is_floored_to_four_decimals_like_koreader() {
        assert_eq!(koreader_percentage(0.123_456), 0.1234);
        assert_eq!(koreader_percentage(0.999_99), 0.9999, "never rounded up to finished");
        assert_eq!(koreader_percentage(1.0), 1.0);
    }

    #[test]
    fn xpointer_picks_the_spine_item_by_text_length() {
        // Three chapters of 100, 300 and 600 characters: 0.35 of the text is in the second.
        assert_eq!(xpointer(&[100, 300, 600], 0.35).as_deref(), Some("/body/DocFragment[2]/body"));
        assert_eq!(xpointer(&[100, 300, 600], 0.0).as_deref(), Some("/body/DocFragment[1]/body"));
        assert_eq!(
            xpointer(&[100, 300, 600, 0], 1.0).as_deref(),
            Some("/body/DocFragment[3]/body"),
            "the end of the book is in the last item with text"
        );
        assert_eq!(xpointer(&[0, 0], 0.5), None, "a spine without text cannot be placed");
    }

    #[test]
    fn pages_are_one_based_and_within_the_document() {
        assert_eq!(page(200, 0.42), 84);
        assert_eq!(page(200, 0.0), 1, "KOReader has no page 0");
        assert_eq!(page(200, 1.0), 200);
    }

    #[test]
    fn pdf_page_count_is_the_page_tree_root() {
        let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
            2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 12 >> endobj\n\
            3 0 obj << /Type/Pages /Parent 2 0 R /Count 5 >> endobj\n\
            5 0 obj << /Type /Page /Parent 3 0 R >> endobj\n\
            6 0 obj << /Type /Outlines /Count 40 >> endobj\n";
        assert_eq!(pdf_page_count(pdf), Some(12), "the root of the page tree counts every page, outlines do not");
        assert_eq!(pdf_page_count(b"%PDF-1.7 nothing here"), None);
    }

    #[test]
    fn a_page_tree_in_a_compressed_object_stream_is_found() {
        use std::io::Write as _;
        let objects = b"2 0 3 60 << /Type /Pages /Kids [4 0 R] /Count 321 >> << /Type /Page /Parent 2 0 R >>";
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(objects).unwrap();
        let packed = z.finish().unwrap();
        let mut pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n".to_vec();
        pdf.extend_from_slice(
            format!(
                "5 0 obj\n<< /Type /ObjStm /N 2 /First 9 /Filter /FlateDecode /Length {} >>\nstream\n",
                packed.len()
            )
            .as_bytes(),
        );
        pdf.extend_from_slice(&packed);
        pdf.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
        assert_eq!(pdf_page_count(&pdf), Some(321), "PDF 1.5+ keeps the page tree in a compressed object stream");
    }
}
