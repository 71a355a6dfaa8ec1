//! Byte scanning a machine word at a time (SWAR: eight bytes on 64-bit targets, four on
//! Cortex-M) for the verify hot path: finding the dots of a token (a block at a time first,
//! on 64-bit targets) and the end of a plain run inside a JSON string.
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

/// Index of the first `byte` in `bytes`, or `bytes.len()`: [`first_of`] for one byte value
/// that is rare in the input (the dots of a token). On 64-bit targets the bytes are first
/// tested 32 at a time with one branch: a test without early exit, which the compiler turns
/// into vector compares. Short strings (JSON's plain runs) do not gain from this, so
/// [`first_of`] keeps its word at a time.
pub(crate) fn find(bytes: &[u8], byte: u8) -> usize {
    #[cfg(target_pointer_width = "64")]
    {
        const BLOCK: usize = 32;
        let mut at = 0;
        for block in bytes.chunks_exact(BLOCK) {
            if block.iter().fold(false, |found, &b| found | (b == byte)) {
                break;
            }
            at += BLOCK;
        }
        at + first_of(bytes.get(at..).unwrap_or_default(), byte, byte, 0)
    }
    #[cfg(not(target_pointer_width = "64"))]
    first_of(bytes, byte, byte, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_match_at_every_offset_and_length() {
        // Longer than three blocks of `find`, so every block position and tail is tried.
        let mut buf = [b'a'; 100];
        for (i, b) in buf.iter_mut().enumerate() {
            // Neighbours of '.' (0x2E) and bytes with the high bit set, to catch borrows.
            *b = [b'-', b'/', 0xAE, 0x2F, 0x2D, b'a'][i % 6];
        }
        let dots: [fn(&[u8]) -> usize; 2] = [
            |bytes| first_of(bytes, b'.', b'.', 0),
            |bytes| find(bytes, b'.'),
        ];
        for dot in dots {
            for len in 0..=buf.len() {
                assert_eq!(dot(&buf[..len]), len, "none in {len} bytes");
                for at in 0..len {
                    let mut probe = buf;
                    probe[at] = b'.';
                    if at + 1 < len {
                        probe[at + 1] = b'.';
                    }
                    assert_eq!(dot(&probe[..len]), at, "len {len}, dot at {at}");
                }
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
