//! Title, authors and ISBN from an EPUB's package document (OPF), for kosync items, which the
//! server knows only by hash; and the text length of each spine item, to place a write-back.

use std::io::{Read, Seek};

use quick_xml::events::Event;

use crate::identifiers;
use crate::sources::normalize;
use crate::sources::parse::ParseError;

/// The package document must be small; a larger one is a broken or hostile file.
const MAX_XML: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EpubMeta {
    pub title: Option<String>,
    pub authors: Vec<String>,
    /// Normalized ISBN-13 (or ISBN-10 when it has no 13-digit form).
    pub isbn: Option<String>,
}

/// Read the metadata of an EPUB (a zip holding `META-INF/container.xml` → the OPF).
pub fn read_epub<R: Read + Seek>(reader: R) -> Result<EpubMeta, ParseError> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| ParseError(format!("not a readable EPUB (zip): {e}")))?;
    let container = read_entry(&mut zip, "META-INF/container.xml")?;
    let opf_path = parse_container(&container)?;
    let opf = read_entry(&mut zip, &opf_path)?;
    parse_opf(&opf)
}

fn read_entry<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Result<Vec<u8>, ParseError> {
    let entry = zip.by_name(name).map_err(|e| ParseError(format!("the EPUB has no {name}: {e}")))?;
    let mut out = Vec::new();
    entry.take(MAX_XML).read_to_end(&mut out).map_err(|e| ParseError(format!("cannot read {name}: {e}")))?;
    Ok(out)
}

/// The OPF's path from `META-INF/container.xml` (`<rootfile full-path="…">`).
pub fn parse_container(xml: &[u8]) -> Result<String, ParseError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"rootfile" => {
                for attr in e.attributes().flatten() {
                    if attr.key.local_name().as_ref() == b"full-path" {
                        let v = attr.unescape_value().map_err(|e| ParseError(format!("container.xml: {e}")))?;
                        return Ok(v.into_owned());
                    }
                }
            }
            Ok(Event::Eof) => return Err(ParseError("container.xml names no rootfile".into())),
            Err(e) => return Err(ParseError(format!("container.xml is not valid XML: {e}"))),
            _ => {}
        }
        buf.clear();
    }
}

/// `dc:title`, every `dc:creator`, and the first `dc:identifier` that is a valid ISBN.
pub fn parse_opf(xml: &[u8]) -> Result<EpubMeta, ParseError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut meta = EpubMeta::default();
    let mut current: Option<&'static str> = None;
    let mut text = String::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => {
                current = match e.local_name().as_ref() {
                    b"title" => Some("title"),
                    b"creator" => Some("creator"),
                    b"identifier" => Some("identifier"),
                    _ => None,
                };
                text.clear();
            }
            Ok(Event::Text(t)) if current.is_some() => {
                let t = t.unescape().map_err(|e| ParseError(format!("the OPF is not valid XML: {e}")))?;
                text.push_str(&t);
            }
            Ok(Event::CData(t)) if current.is_some() => text.push_str(&String::from_utf8_lossy(&t)),
            Ok(Event::End(_)) => {
                let value = normalize::text(Some(&text));
                match (current.take(), value) {
                    (Some("title"), Some(v)) if meta.title.is_none() => meta.title = Some(v),
                    (Some("creator"), Some(v)) => meta.authors.push(v),
                    (Some("identifier"), Some(v)) if meta.isbn.is_none() => {
                        let i = identifiers::isbns(&v);
                        meta.isbn = i.isbn13.or(i.isbn10);
                    }
                    _ => {}
                }
                text.clear();
            }
            Ok(Event::Eof) => return Ok(meta),
            Err(e) => return Err(ParseError(format!("the OPF is not valid XML: {e}"))),
            _ => {}
        }
        buf.clear();
    }
}

/// One spine item's document can be large, but not this large.
const MAX_CHAPTER: u64 = 16 * 1024 * 1024;

/// The text length of each spine item, in reading order (KOReader's `DocFragment[N]` is the N-th).
/// An item that is missing from the zip counts as empty, as KOReader shows it.
pub fn spine_text_lengths<R: Read + Seek>(reader: R) -> Result<Vec<u64>, ParseError> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| ParseError(format!("not a readable EPUB (zip): {e}")))?;
    let container = read_entry(&mut zip, "META-INF/container.xml")?;
    let opf_path = parse_container(&container)?;
    let opf = read_entry(&mut zip, &opf_path)?;
    let base = opf_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut lengths = Vec::new();
    for href in parse_spine(&opf)? {
        let path = if base.is_empty() { href } else { format!("{base}/{href}") };
        let len = match zip.by_name(&path) {
            Ok(entry) => {
                let mut xhtml = Vec::new();
                entry
                    .take(MAX_CHAPTER)
                    .read_to_end(&mut xhtml)
                    .map_err(|e| ParseError(format!("cannot read {path}: {e}")))?;
                text_length(&xhtml)
            }
            Err(_) => 0,
        };
        lengths.push(len);
    }
    if lengths.is_empty() {
        return Err(ParseError("the OPF has an empty spine".into()));
    }
    Ok(lengths)
}

/// The spine's documents in reading order, as manifest hrefs (percent-decoded, relative to the OPF).
pub fn parse_spine(xml: &[u8]) -> Result<Vec<String>, ParseError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut manifest = std::collections::HashMap::new();
    let mut spine = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let attr = |name: &[u8]| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == name)
                        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                };
                match e.local_name().as_ref() {
                    b"item" => {
                        if let (Some(id), Some(href)) = (attr(b"id"), attr(b"href")) {
                            manifest.insert(id, href);
                        }
                    }
                    b"itemref" => spine.extend(attr(b"idref")),
                    _ => {}
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(ParseError(format!("the OPF is not valid XML: {e}"))),
            _ => {}
        }
        buf.clear();
    }
    Ok(spine.iter().filter_map(|id| manifest.get(id)).map(|href| percent_decode(href)).collect())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).and_then(|c| hex(*c)), b.get(i + 2).and_then(|c| hex(*c))) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Characters of text in an XHTML document, whitespace excluded (markup is no reading).
fn text_length(xhtml: &[u8]) -> u64 {
    let mut reader = quick_xml::Reader::from_reader(xhtml);
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Text(t)) => {
                let text =
                    t.unescape().map(|c| c.into_owned()).unwrap_or_else(|_| String::from_utf8_lossy(&t).into_owned());
                n += text.chars().filter(|c| !c.is_whitespace()).count() as u64;
            }
            Ok(Event::CData(t)) => {
                n += String::from_utf8_lossy(&t).chars().filter(|c| !c.is_whitespace()).count() as u64
            }
            // A chapter that stops parsing still counts the text before the fault.
            Ok(Event::Eof) | Err(_) => return n,
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opf_metadata_is_read() {
        let opf = br#"<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
            <dc:title>Dune &amp; More</dc:title><dc:creator opf:role="aut">Frank Herbert</dc:creator><dc:creator>B. Other</dc:creator>
            <dc:identifier id="uuid">urn:uuid:1234</dc:identifier><dc:identifier opf:scheme="ISBN">978-0-441-17271-9</dc:identifier>
            </metadata></package>"#;
        let m = parse_opf(opf).unwrap();
        assert_eq!(m.title.as_deref(), Some("Dune & More"));
        assert_eq!(m.authors, ["Frank Herbert", "B. Other"]);
        assert_eq!(m.isbn.as_deref(), Some("9780441172719"), "a uuid identifier must not be taken for an ISBN");
    }

    #[test]
    fn spine_follows_the_itemrefs_not_the_manifest_order() {
        let opf = br#"<package><manifest><item id="c2" href="Text/ch%202.xhtml"/><item id="c1" href="Text/ch1.xhtml"/>
            <item id="css" href="s.css"/></manifest><spine><itemref idref="c1"/><itemref idref="c2"/></spine></package>"#;
        assert_eq!(parse_spine(opf).unwrap(), ["Text/ch1.xhtml", "Text/ch 2.xhtml"], "spine order, hrefs decoded");
        assert_eq!(text_length(b"<html><body><p>Hello  &amp; <b>bye</b></p></body></html>"), 9);
    }

    #[test]
    fn container_names_the_opf() {
        let c = br#"<container><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"#;
        assert_eq!(parse_container(c).unwrap(), "OEBPS/content.opf");
        assert!(parse_container(b"<container/>").is_err());
    }
}
