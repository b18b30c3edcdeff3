#![no_main]
//! kosync replies, and the EPUB metadata readers (container.xml, OPF, the zip itself).

use hardcover_sync::sources::kosync::{epub, parse_auth, parse_progress};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_auth(data);
    let _ = parse_progress(data);
    let _ = epub::parse_container(data);
    let _ = epub::parse_opf(data);
    let _ = epub::read_epub(std::io::Cursor::new(data));
});
