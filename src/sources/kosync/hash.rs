//! KOReader's document ids: the "binary" partial MD5 of the file and the "filename" MD5.
//!
//! The partial MD5 (KOReader's `util.partialMD5` in `frontend/util.lua`) is one MD5 over up to
//! twelve samples of 1024 bytes each, read at offsets `1024 << (2*i)` for `i` from -1 to 10. For
//! `i = -1` LuaJIT's 32-bit shift wraps to offset 0, so the offsets are 0, 1 KiB, 4 KiB, 16 KiB, …,
//! 256 MiB, 1 GiB. A sample near the end may be shorter than 1024 bytes and is hashed as read;
//! the first offset at or past the end of the file stops the sampling. Sampling the head densely
//! keeps the id stable when KOReader appends highlights to a PDF.
//!
//! The filename variant is the MD5 of the file's base name with its extension, no folders.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use md5::{Digest, Md5};

const SAMPLE: usize = 1024;

/// The partial MD5 of anything seekable, as lowercase hex.
pub fn partial_md5<R: Read + Seek>(reader: &mut R) -> io::Result<String> {
    let mut md5 = Md5::new();
    let mut buf = [0u8; SAMPLE];
    for i in -1i32..=10 {
        let offset: u64 = if i < 0 { 0 } else { 1024u64 << (2 * i) };
        reader.seek(SeekFrom::Start(offset))?;
        let n = read_up_to(reader, &mut buf)?;
        if n == 0 {
            break;
        }
        md5.update(&buf[..n]);
    }
    Ok(hex(&md5.finalize()))
}

pub fn partial_md5_file(path: &Path) -> io::Result<String> {
    partial_md5(&mut File::open(path)?)
}

/// MD5 of the file name (with extension, without folders).
pub fn filename_md5(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    hex(&Md5::digest(name.as_bytes()))
}

/// Read until the buffer is full or the file ends (a single `read` may return less).
fn read_up_to<R: Read>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn small_file_is_md5_of_its_whole_content() {
        // Under 1 KiB only the sample at offset 0 exists, and it is the whole file.
        let data = b"hello koreader".to_vec();
        assert_eq!(partial_md5(&mut Cursor::new(&data)).unwrap(), hex(&Md5::digest(&data)));
    }

    #[test]
    fn samples_are_taken_at_the_documented_offsets() {
        let data: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut expected = Md5::new();
        for off in [0usize, 1024, 4096, 16384] {
            expected.update(&data[off..(off + 1024).min(data.len())]);
        }
        assert_eq!(
            partial_md5(&mut Cursor::new(&data)).unwrap(),
            hex(&expected.finalize()),
            "a 20,000-byte file is sampled at 0, 1 KiB, 4 KiB and 16 KiB (the last one short)"
        );
    }

    #[test]
    fn filename_md5_uses_the_base_name() {
        assert_eq!(filename_md5(Path::new("/books/a/Dune.epub")), hex(&Md5::digest(b"Dune.epub")));
    }
}
