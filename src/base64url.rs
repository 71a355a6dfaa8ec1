//! Strict, canonical, unpadded base64url (RFC 4648 section 5, RFC 7515 section 2).
//!
//! Token segments are public data, so decoding is not constant time: a table lookup on 64-bit
//! targets, a comparison of ranges on the others (firmware keeps the table's flash).
//! Only the canonical encoding of each byte string is accepted: no padding, no whitespace, no
//! characters outside the URL-safe alphabet, and the unused low bits of the last character
//! must be zero (checklist V-P2).

use crate::error::Error;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const INVALID: u8 = 0xFF;

/// Maps each byte to its 6-bit value, or `INVALID`.
#[cfg(any(target_pointer_width = "64", test))]
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of bounds fails the build"
)]
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The 6-bit value of character `c`, or a value with one of the two high bits set (`INVALID`
/// or above) when `c` is outside the alphabet.
#[cfg(target_pointer_width = "64")]
#[expect(
    clippy::indexing_slicing,
    reason = "a byte indexes a table of 256 entries"
)]
fn sextet(c: u8) -> u8 {
    DECODE[usize::from(c)]
}

/// [`sextet`] by the alphabet's ranges: a few comparisons where 64-bit targets look up
/// [`DECODE`], whose 256 bytes a device would keep in flash for one token's decoding.
#[cfg(any(not(target_pointer_width = "64"), test))]
fn sextet_by_ranges(c: u8) -> u8 {
    match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => INVALID,
    }
}

#[cfg(not(target_pointer_width = "64"))]
use sextet_by_ranges as sextet;

/// Number of bytes that `encoded_len` characters decode to, or `None` when no canonical
/// encoding has that length (a remainder of one character).
///
/// ```
/// assert_eq!(jwt_core::base64url::decoded_len(43), Some(32));
/// assert_eq!(jwt_core::base64url::decoded_len(5), None);
/// ```
pub const fn decoded_len(encoded_len: usize) -> Option<usize> {
    let tail = match encoded_len % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    Some(encoded_len / 4 * 3 + tail)
}

/// Number of characters the unpadded encoding of `len` bytes takes.
///
/// ```
/// assert_eq!(jwt_core::base64url::encoded_len(32), 43);
/// assert_eq!(jwt_core::base64url::encoded_len(64), 86);
/// ```
pub const fn encoded_len(len: usize) -> usize {
    len / 3 * 4
        + match len % 3 {
            0 => 0,
            1 => 2,
            _ => 3,
        }
}

/// Decodes canonical unpadded base64url `src` into the front of `dst`, returning the number of
/// bytes written.
///
/// # Errors
/// [`Error::Base64`] for any non-canonical input, [`Error::BufferTooSmall`] when `dst` is
/// shorter than [`decoded_len`].
///
/// ```
/// let mut out = [0u8; 8];
/// let n = jwt_core::base64url::decode(b"aGVsbG8", &mut out).unwrap();
/// assert_eq!(&out[..n], b"hello");
/// assert!(jwt_core::base64url::decode(b"aGVsbG8=", &mut out).is_err());
/// assert!(jwt_core::base64url::decode(b"aGVsbG9", &mut out).is_err()); // non-zero trailing bits
/// ```
pub fn decode(src: &[u8], dst: &mut [u8]) -> Result<usize, Error> {
    let len = decoded_len(src.len()).ok_or(Error::Base64)?;
    let dst = dst.get_mut(..len).ok_or(Error::BufferTooSmall)?;
    let mut blocks = src.chunks_exact(BLOCK_CHARS);
    let mut out = dst.chunks_exact_mut(BLOCK_CHARS / 4 * 3);
    let mut invalid = 0;
    for (chars, bytes) in (&mut blocks).zip(&mut out) {
        invalid |= decode_block(chars, bytes);
    }
    // The last characters, fewer than a block, with the unused low bits of the last one
    // required to be zero.
    let rest = blocks.remainder();
    let tail = out.into_remainder();
    let (word, tail_invalid) = gather(rest);
    let unused_bits = rest.len() * 6 % 8;
    if invalid != 0 || tail_invalid || word & ((1 << unused_bits) - 1) != 0 {
        return Err(Error::Base64);
    }
    let word = (word >> unused_bits).to_be_bytes();
    let decoded = word.get(word.len() - tail.len()..).ok_or(Error::Base64)?;
    for (byte, decoded) in tail.iter_mut().zip(decoded) {
        *byte = *decoded;
    }
    Ok(len)
}

/// The characters of `chars` (at most a word's worth) gathered 6 bits each into the low bits
/// of a word, and whether any is outside the alphabet.
fn gather(chars: &[u8]) -> (usize, bool) {
    let mut invalid = 0u8;
    let word = chars.iter().fold(0usize, |word, &c| {
        let value = sextet(c);
        invalid |= value;
        word << 6 | usize::from(value)
    });
    (word, invalid & 0xC0 != 0)
}

/// Characters decoded per block: eight (two groups of 24 bits) with the tables of
/// [`SHIFTED`] on 64-bit targets, four (one group, gathered in a 32-bit word) on the others.
#[cfg(target_pointer_width = "64")]
const BLOCK_CHARS: usize = 8;
#[cfg(not(target_pointer_width = "64"))]
const BLOCK_CHARS: usize = 4;

/// `SHIFTED[i][c]`: the bits character `c` contributes, as character `i` of a group of four,
/// to the group's three bytes, laid out as the low three bytes of a little-endian `u32`
/// (first byte lowest); or bit 24 when `c` is outside the alphabet. One OR of four lookups
/// decodes a group and flags its invalid characters, in fewer instructions than
/// gathering through [`DECODE`]. 4 KiB of tables: 64-bit targets only (gateways); firmware
/// keeps its flash.
#[cfg(any(target_pointer_width = "64", test))]
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of bounds fails the build"
)]
static SHIFTED: [[u32; 256]; 4] = {
    let mut tables = [[0u32; 256]; 4];
    let mut c = 0;
    while c < 256 {
        let v = DECODE[c] as u32;
        let parts = if DECODE[c] == INVALID {
            [1 << 24; 4]
        } else {
            // Characters a, b, c, d make bytes x = a5..a0 b5..b4, y = b3..b0 c5..c2 and
            // z = c1..c0 d5..d0.
            [
                v << 2,
                v >> 4 | (v & 0xF) << 12,
                (v >> 2) << 8 | (v & 0x3) << 22,
                v << 16,
            ]
        };
        let mut i = 0;
        while i < 4 {
            tables[i][c] = parts[i];
            i += 1;
        }
        c += 1;
    }
    tables
};

#[cfg(not(target_pointer_width = "64"))]
use decode_block_by_gathering as decode_block;
#[cfg(target_pointer_width = "64")]
use decode_block_by_tables as decode_block;

/// Decodes one block of eight characters into `bytes`, returning non-zero when a character
/// is outside the alphabet.
#[cfg(any(target_pointer_width = "64", test))]
#[expect(
    clippy::indexing_slicing,
    reason = "a byte indexes a table of 256 entries"
)]
fn decode_block_by_tables(chars: &[u8], bytes: &mut [u8]) -> u32 {
    let (Ok(&[a, b, c, d, e, f, g, h]), Ok(out)) =
        (<&[u8; 8]>::try_from(chars), <&mut [u8; 6]>::try_from(bytes))
    else {
        return 1;
    };
    let [t0, t1, t2, t3] = &SHIFTED;
    let one = t0[usize::from(a)] | t1[usize::from(b)] | t2[usize::from(c)] | t3[usize::from(d)];
    let two = t0[usize::from(e)] | t1[usize::from(f)] | t2[usize::from(g)] | t3[usize::from(h)];
    let [x, y, z, flag1] = one.to_le_bytes();
    let [u, v, w, flag2] = two.to_le_bytes();
    *out = [x, y, z, u, v, w];
    u32::from(flag1 | flag2)
}

/// Decodes one block of characters (at most a word's worth) into `bytes` (three quarters as
/// many), returning non-zero when a character is outside the alphabet.
#[cfg(any(not(target_pointer_width = "64"), test))]
fn decode_block_by_gathering(chars: &[u8], bytes: &mut [u8]) -> u32 {
    let (word, invalid) = gather(chars);
    let word = word.to_be_bytes();
    let decoded = word.get(word.len() - bytes.len()..).unwrap_or_default();
    for (byte, decoded) in bytes.iter_mut().zip(decoded) {
        *byte = *decoded;
    }
    u32::from(invalid)
}

/// Encodes `src` as unpadded base64url into the front of `dst`, returning the number of
/// characters written.
///
/// # Errors
/// [`Error::BufferTooSmall`] when `dst` is shorter than [`encoded_len`].
///
/// ```
/// let mut out = [0u8; 8];
/// let n = jwt_core::base64url::encode(b"hello", &mut out).unwrap();
/// assert_eq!(&out[..n], b"aGVsbG8");
/// ```
pub fn encode(src: &[u8], dst: &mut [u8]) -> Result<usize, Error> {
    let len = encoded_len(src.len());
    let dst = dst.get_mut(..len).ok_or(Error::BufferTooSmall)?;
    for (chunk, quad) in src.chunks(3).zip(dst.chunks_mut(4)) {
        encode_chunk(chunk, quad);
    }
    Ok(len)
}

/// Encodes the last `n` bytes of `buf` into the front of `buf`, returning the number of
/// characters written. The source may overlap the output: each 3-byte group is read before
/// its 4 characters are written, and the writer never overtakes the reader because the
/// output needs exactly `n + ceil(n / 3)` bytes.
pub(crate) fn encode_tail_in_place(buf: &mut [u8], n: usize) -> Result<usize, Error> {
    let len = encoded_len(n);
    if buf.len() < len || buf.len() < n {
        return Err(Error::BufferTooSmall);
    }
    let src_start = buf.len() - n;
    let mut read = src_start;
    let mut write = 0;
    while read < buf.len() {
        let take = (buf.len() - read).min(3);
        let mut group = [0u8; 3];
        for (slot, byte) in group.iter_mut().zip(buf.get(read..).unwrap_or_default()) {
            *slot = *byte;
        }
        let chars = take + 1;
        let out = buf
            .get_mut(write..write + chars)
            .ok_or(Error::BufferTooSmall)?;
        encode_chunk(&group, out);
        read += take;
        write += chars;
    }
    Ok(len)
}

/// Encodes one group of 1 to 3 bytes into `chunk.len() + 1` characters.
#[expect(
    clippy::indexing_slicing,
    reason = "six bits index the 64-character alphabet"
)]
fn encode_chunk(chunk: &[u8], out: &mut [u8]) {
    let b0 = chunk.first().copied().unwrap_or(0);
    let b1 = chunk.get(1).copied().unwrap_or(0);
    let b2 = chunk.get(2).copied().unwrap_or(0);
    let word = (u32::from(b0) << 16) | (u32::from(b1) << 8) | u32::from(b2);
    for (i, o) in out.iter_mut().enumerate() {
        *o = ALPHABET[((word >> (18 - 6 * i)) & 0x3F) as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_place_matches_plain_encoding_for_all_small_lengths() {
        let data: [u8; 40] = core::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11));
        for n in 0..=data.len() {
            let mut expected = [0u8; 64];
            let e = encode(&data[..n], &mut expected).unwrap();
            let mut buf = [0u8; 64];
            let buf = &mut buf[..e.max(n)];
            let start = buf.len() - n;
            buf[start..].copy_from_slice(&data[..n]);
            let got = encode_tail_in_place(buf, n).unwrap();
            assert_eq!(&buf[..got], &expected[..e], "length {n}");
        }
    }

    #[test]
    fn the_ranges_give_every_byte_the_value_of_the_table() {
        for c in 0..=255u8 {
            assert_eq!(sextet_by_ranges(c), DECODE[usize::from(c)], "{c:#x}");
        }
    }

    #[test]
    fn both_block_decoders_agree_on_every_byte_at_every_position() {
        // Eight characters make a block of either decoder on a 64-bit host.
        let valid = b"Zm9vYmFy";
        for at in 0..8 {
            for byte in 0..=255u8 {
                let mut chars = *valid;
                chars[at] = byte;
                let (mut by_tables, mut by_gathering) = ([0u8; 6], [0u8; 6]);
                let flagged = decode_block_by_tables(&chars, &mut by_tables) != 0;
                assert_eq!(
                    flagged,
                    decode_block_by_gathering(&chars, &mut by_gathering) != 0,
                    "{byte:#x} at {at}"
                );
                assert_eq!(flagged, !ALPHABET.contains(&byte), "{byte:#x} at {at}");
                if !flagged {
                    assert_eq!(by_tables, by_gathering, "{byte:#x} at {at}");
                }
            }
        }
        let mut out = [0u8; 6];
        assert_eq!(decode_block_by_tables(valid, &mut out), 0);
        assert_eq!(&out, b"foobar");
    }

    #[test]
    fn round_trip_and_canonical_trailing_bits() {
        let mut enc = [0u8; 8];
        let mut dec = [0u8; 8];
        for len in 0..=5 {
            let src = &[0xFFu8, 0x00, 0xA5, 0x5A, 0x01][..len];
            let e = encode(src, &mut enc).unwrap();
            let d = decode(&enc[..e], &mut dec).unwrap();
            assert_eq!(&dec[..d], src);
        }
        // "QQ" is the canonical encoding of "A"; "QR" carries non-zero unused bits.
        assert_eq!(decode(b"QQ", &mut dec), Ok(1));
        assert_eq!(decode(b"QR", &mut dec), Err(Error::Base64));
        assert_eq!(decode(b"QUI", &mut dec), Ok(2));
        assert_eq!(decode(b"QUJ", &mut dec), Err(Error::Base64));
        assert_eq!(decode(b"Q", &mut dec), Err(Error::Base64));
        assert_eq!(decode(b"QUJD", &mut [0u8; 2]), Err(Error::BufferTooSmall));
        for bad in [&b"QU+D"[..], b"QU/D", b"QU D", b"QUI=", b"QU\nD", b"QU.D"] {
            assert_eq!(decode(bad, &mut dec), Err(Error::Base64));
        }
    }
}
