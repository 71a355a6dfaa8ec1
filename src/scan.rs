//! Byte scanning a machine word at a time (SWAR: eight bytes on 64-bit targets, four on
//! Cortex-M) for the verify hot path: finding the dots of a token and the end of a plain run
//! inside a JSON string.
//!
//! Each word test flags, in the high bit of every byte, the bytes it matches. A flag can be
//! false only above a true one (a borrow runs upwards from a matching byte), so the lowest
//! flag of a word, and of a union of such tests, is exact.

/// Bytes per word.
const W: usize = core::mem::size_of::<usize>();
const ONES: usize = usize::MAX / 0xFF;
const HIGHS: usize = ONES * 0x80;

/// Flags the bytes of `word` that are below `n` (`n` at most 0x80).
const fn below(word: usize, n: u8) -> usize {
    word.wrapping_sub(ONES * n as usize) & !word & HIGHS
}

/// Flags the bytes of `word` equal to `byte`.
const fn equal(word: usize, byte: u8) -> usize {
    below(word ^ (ONES * byte as usize), 1)
}

/// Index of the first byte of `bytes` that is `a`, `b`, or below `n` (0 for none), or
/// `bytes.len()`. One function for every use keeps firmware flash small.
pub(crate) fn first_of(bytes: &[u8], a: u8, b: u8, n: u8) -> usize {
    let mut words = bytes.chunks_exact(W);
    let mut at = 0;
    for chunk in words.by_ref() {
        let Ok(word) = <[u8; W]>::try_from(chunk) else {
            break;
        };
        // Little-endian load: the first byte is the lowest, on every target.
        let w = usize::from_le_bytes(word);
        let found = equal(w, a) | equal(w, b) | below(w, n);
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += W;
    }
    let tail = words.remainder();
    at + tail
        .iter()
        .position(|&c| c == a || c == b || c < n)
        .unwrap_or(tail.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_match_at_every_offset_and_length() {
        let mut buf = [b'a'; 40];
        for (i, b) in buf.iter_mut().enumerate() {
            // Neighbours of '.' (0x2E) and bytes with the high bit set, to catch borrows.
            *b = [b'-', b'/', 0xAE, 0x2F, 0x2D, b'a'][i % 6];
        }
        let find = |bytes: &[u8]| first_of(bytes, b'.', b'.', 0);
        for len in 0..=buf.len() {
            assert_eq!(find(&buf[..len]), len, "none in {len} bytes");
            for at in 0..len {
                let mut probe = buf;
                probe[at] = b'.';
                if at + 1 < len {
                    probe[at + 1] = b'.';
                }
                assert_eq!(find(&probe[..len]), at, "len {len}, dot at {at}");
            }
        }
    }

    #[test]
    fn every_byte_value_is_classified_like_the_scalar_test() {
        for (a, b, n) in [(b'"', b'\\', 0x20), (b'.', b'.', 0), (0x00, 0xFF, 0x80)] {
            for byte in 0..=255u8 {
                let expected = byte == a || byte == b || byte < n;
                // In a full word (SWAR path) and in the tail (scalar path).
                assert_eq!(first_of(&[byte; W], a, b, n) == 0, expected, "{byte:#x}");
                assert_eq!(first_of(&[byte], a, b, n) == 0, expected, "{byte:#x}");
            }
        }
    }
}
