//! Book covers served by the emulator itself (`GET /covers/<book id>.png`), so cover images work
//! offline: a small generated PNG whose colours derive from the book id.

const WIDTH: u32 = 60;
const HEIGHT: u32 = 90;

/// A 60×90 cover: a coloured background with a darker band where a title would sit.
pub fn cover_png(book_id: i64) -> Vec<u8> {
    let h = (book_id as u64).wrapping_mul(2_654_435_761);
    let base = [(h >> 16) as u8 | 0x40, (h >> 8) as u8 | 0x40, h as u8 | 0x40];
    let mut raw = Vec::with_capacity((HEIGHT * (1 + WIDTH * 3)) as usize);
    for y in 0..HEIGHT {
        raw.push(0); // filter: none
        let band = (20..38).contains(&y);
        for x in 0..WIDTH {
            let edge = x < 3; // a spine
            for c in base {
                raw.push(if band || edge { c / 3 } else { c });
            }
        }
    }
    encode_png(WIDTH, HEIGHT, &raw)
}

fn encode_png(width: u32, height: u32, raw: &[u8]) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter method, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend(kind);
    out.extend(data);
    let crc = crc32(&out[start..]);
    out.extend(crc.to_be_bytes());
}

/// zlib with "stored" (uncompressed) deflate blocks: no compression library needed.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend(*block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cover_is_a_well_formed_png() {
        let png = cover_png(100_001);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a cover must start with the PNG signature");
        assert_eq!(&png[12..16], b"IHDR", "the first chunk must be IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), WIDTH, "IHDR must carry the width");
        assert_eq!(&png[png.len() - 8..png.len() - 4], b"IEND", "the last chunk must be IEND");
        assert_eq!(crc32(b"IEND"), 0xae42_6082, "the CRC must match PNG's reference value for an empty IEND");
        assert_ne!(cover_png(1), cover_png(2), "different books get different covers");
    }
}
