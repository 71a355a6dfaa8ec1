//! Variable-time ES256 verification with per-key tables, on p256's own field and group
//! arithmetic.
//!
//! Verification touches only public data (key, message, signature), so it need not run in
//! constant time. It computes `u1·G + u2·Q` as four interleaved width-w NAF streams over
//! 128-bit halves, `u1 = a + b·2^128` and `u2 = c + d·2^128`:
//! `a·G + b·(2^128·G) + c·Q + d·(2^128·Q)`, which halves the doublings. The odd multiples of
//! `Q` and `2^128·Q` are computed once when the key is imported, in affine form for mixed
//! additions. Those of `G` and the constant `2^128·G` are computed once per process with
//! `std` (32 of each, affine), and otherwise built for each verification (4 of each, small
//! enough to cost less than they save). Every addition uses p256's complete formulas, so no
//! input (a point equal to the accumulator, the identity) needs a special case.
//!
//! Only on 64-bit targets: on a Cortex-M the tables and this code cost more flash and stack
//! than p256's own verification, so there keys verify with the small-stack walk of
//! `jsf.rs`.

use core::ops::{AddAssign, SubAssign};

use p256::elliptic_curve::group::Group;
use p256::elliptic_curve::{BatchNormalize, PrimeField};
use p256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar};

use super::{scalars, x_is_r};

/// Window of the key's streams: tables of `2^(5-2) = 8` odd multiples, built once per key.
const KEY_WINDOW: u32 = 5;
const KEY_TABLE: usize = 1 << (KEY_WINDOW - 2);
/// Window of the generator's streams: with `std`, tables of 32 odd multiples computed once
/// per process; without, tables of 4 built per verification.
#[cfg(feature = "std")]
const GENERATOR_WINDOW: u32 = 7;
#[cfg(not(feature = "std"))]
const GENERATOR_WINDOW: u32 = 4;
const GENERATOR_TABLE: usize = 1 << (GENERATOR_WINDOW - 2);
/// NAF digits of a 128-bit half: its bits, and room for the final carry of any window up to 8.
const DIGITS: usize = 128 + 8;

/// `2^128·G`, uncompressed SEC1 (a test recomputes it by doubling `G`).
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of bounds fails the build"
)]
const GENERATOR_HIGH: [u8; 65] = {
    const HEX: &[u8; 128] = b"447d739beedb5e67fb982fd588c6766efc35ff7dc297eac357c84fc9d789bd85\
2d4825ab834131eee12e9d953a4aaff73d349b95a7fae5000c7e33c972e25b32";
    let mut out = [0u8; 65];
    out[0] = 0x04;
    let mut i = 0;
    while i < 64 {
        out[1 + i] = hex_digit(HEX[2 * i]) << 4 | hex_digit(HEX[2 * i + 1]);
        i += 1;
    }
    out
};

const fn hex_digit(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        _ => c - b'a' + 10,
    }
}

/// The per-key tables: odd multiples `Q, 3Q, …, 15Q` and the same of `2^128·Q`, affine.
#[derive(Clone, Copy)]
pub(super) struct KeyTables {
    low: [AffinePoint; KEY_TABLE],
    high: [AffinePoint; KEY_TABLE],
}

impl KeyTables {
    /// Builds the tables of a validated public point `q` (not the identity).
    pub(super) fn new(q: &AffinePoint) -> Self {
        let q = ProjectivePoint::from(*q);
        let mut q_high = q;
        for _ in 0..128 {
            q_high = q_high.double();
        }
        KeyTables {
            low: ProjectivePoint::batch_normalize(&odd_multiples::<KEY_TABLE>(&q)),
            high: ProjectivePoint::batch_normalize(&odd_multiples::<KEY_TABLE>(&q_high)),
        }
    }
}

impl KeyTables {
    /// [`verify`] with these tables (the point they were built from is not needed again).
    pub(super) fn verify(
        &self,
        _: &AffinePoint,
        digest: &FieldBytes,
        r: &Scalar,
        s: &Scalar,
    ) -> bool {
        verify(self, digest, r, s)
    }
}

/// `p, 3p, 5p, …`: `N` odd multiples.
fn odd_multiples<const N: usize>(p: &ProjectivePoint) -> [ProjectivePoint; N] {
    let twice = p.double();
    let mut out = [*p; N];
    let mut last = *p;
    for slot in out.iter_mut().skip(1) {
        last += twice;
        *slot = last;
    }
    out
}

/// Whether `(r, s)` (both in `[1, n-1]`, checked by the caller) signs the SHA-256 `digest`
/// for the key whose tables are `key` (SEC 1 section 4.1.4).
fn verify(key: &KeyTables, digest: &FieldBytes, r: &Scalar, s: &Scalar) -> bool {
    let Some((u1, u2)) = scalars(digest, r, s) else {
        return false;
    };
    let (a, b) = halves(&u1);
    let (c, d) = halves(&u2);
    let streams = [
        naf::<GENERATOR_WINDOW>(a),
        naf::<GENERATOR_WINDOW>(b),
        naf::<KEY_WINDOW>(c),
        naf::<KEY_WINDOW>(d),
    ];
    let Some(generator) = GeneratorTables::get() else {
        return false;
    };

    // Start at the highest non-zero digit of any stream: the doublings before it are of the
    // identity.
    let top = (0..DIGITS)
        .rev()
        .find(|&i| streams.iter().any(|s| s.get(i).is_some_and(|&d| d != 0)))
        .unwrap_or(0);
    let mut acc = ProjectivePoint::IDENTITY;
    for i in (0..=top).rev() {
        acc = acc.double();
        let digit = |stream: usize| {
            streams
                .get(stream)
                .and_then(|s| s.get(i))
                .copied()
                .unwrap_or(0)
        };
        add(&mut acc, &generator.low, digit(0));
        add(&mut acc, &generator.high, digit(1));
        add(&mut acc, &key.low, digit(2));
        add(&mut acc, &key.high, digit(3));
    }
    x_is_r(&acc, r)
}

fn generator_high() -> Option<AffinePoint> {
    let point = p256::ecdsa::VerifyingKey::from_sec1_bytes(&GENERATOR_HIGH).ok()?;
    Some(*point.as_affine())
}

/// The low and high 128 bits of a scalar.
fn halves(k: &Scalar) -> (u128, u128) {
    let bytes: [u8; 32] = k.to_repr().into();
    let half = |chunk: Option<&[u8; 16]>| chunk.map_or(0, |c| u128::from_be_bytes(*c));
    (half(bytes.last_chunk()), half(bytes.first_chunk()))
}

/// The width-`W` non-adjacent form of `k`, least significant digit first: `k = Σ dᵢ·2ⁱ` with
/// every non-zero `dᵢ` odd and below `2^(W-1)` in magnitude, and at least `W - 1` zeros
/// after each.
fn naf<const W: u32>(k: u128) -> [i8; DIGITS] {
    let width = 1u32 << W;
    let mut digits = [0i8; DIGITS];
    let mut pos = 0usize;
    let mut carry = 0u32;
    while pos < DIGITS {
        let bits = if pos < 128 {
            (k >> pos) as u32 & (width - 1)
        } else {
            0
        };
        let window = carry + bits;
        if window & 1 == 0 {
            pos += 1;
            continue;
        }
        let digit = if window < width / 2 {
            carry = 0;
            window as i32
        } else {
            carry = 1;
            window as i32 - width as i32
        };
        if let Some(slot) = digits.get_mut(pos) {
            *slot = digit as i8;
        }
        pos += W as usize;
    }
    digits
}

/// `acc += digit·P` where `table` holds the odd multiples of `P` (affine or projective).
fn add<T>(acc: &mut ProjectivePoint, table: &[T], digit: i8)
where
    for<'a> ProjectivePoint: AddAssign<&'a T> + SubAssign<&'a T>,
{
    if let Some(point) = table.get(usize::from(digit.unsigned_abs() >> 1)) {
        match digit {
            0 => {}
            1.. => *acc += point,
            _ => *acc -= point,
        }
    }
}

/// The odd multiples of `G` and of `2^128·G`.
struct GeneratorTables<T> {
    low: [T; GENERATOR_TABLE],
    high: [T; GENERATOR_TABLE],
}

/// With `std`: affine, computed on first use and shared by every verification after.
#[cfg(feature = "std")]
impl GeneratorTables<AffinePoint> {
    fn get() -> Option<&'static Self> {
        static TABLES: std::sync::OnceLock<Option<GeneratorTables<AffinePoint>>> =
            std::sync::OnceLock::new();
        TABLES
            .get_or_init(|| {
                let high = ProjectivePoint::from(generator_high()?);
                let g = ProjectivePoint::GENERATOR;
                Some(GeneratorTables {
                    low: ProjectivePoint::batch_normalize(&odd_multiples::<GENERATOR_TABLE>(&g)),
                    high: ProjectivePoint::batch_normalize(&odd_multiples::<GENERATOR_TABLE>(
                        &high,
                    )),
                })
            })
            .as_ref()
    }
}

/// Without `std`: projective, built for each verification.
#[cfg(not(feature = "std"))]
impl GeneratorTables<ProjectivePoint> {
    fn get() -> Option<Self> {
        let high = ProjectivePoint::from(generator_high()?);
        Some(GeneratorTables {
            low: odd_multiples::<GENERATOR_TABLE>(&ProjectivePoint::GENERATOR),
            high: odd_multiples::<GENERATOR_TABLE>(&high),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Agrees with p256's verification in this build's configuration (with `std`, the
    /// process-wide generator tables; without, the per-verification ones).
    #[test]
    fn agrees_with_p256_for_valid_and_altered_signatures() {
        use p256::ecdsa::signature::{Signer, Verifier};
        use p256::ecdsa::{Signature, SigningKey};
        use sha2::{Digest, Sha256};
        let mut seed = [7u8; 32];
        for round in 0u8..48 {
            seed[round as usize % 32] = seed[round as usize % 32]
                .wrapping_mul(31)
                .wrapping_add(round);
            let Ok(signing) = SigningKey::from_slice(&seed) else {
                continue;
            };
            let verifying = *signing.verifying_key();
            let tables = KeyTables::new(verifying.as_affine());
            let message = [round; 40];
            let signature: Signature = signing.sign(&message[..usize::from(round % 40)]);
            let mut bytes = signature.to_bytes();
            let altered = round % 4;
            match altered {
                1 => bytes[usize::from(round) % 64] ^= 1 << (round % 8),
                2 => bytes[31] ^= 0x80,
                3 => bytes[63] ^= 0x01,
                _ => {}
            }
            let signed = &message[..usize::from(round % 40)];
            let Ok(candidate) = Signature::from_slice(&bytes) else {
                continue;
            };
            let (r, s) = candidate.split_scalars();
            let ours = verify(&tables, &Sha256::digest(signed), &r, &s);
            let theirs = verifying.verify(signed, &candidate).is_ok();
            assert_eq!(ours, theirs, "round {round}");
            assert_eq!(ours, altered == 0, "round {round}");
        }
    }

    #[test]
    fn the_high_generator_is_two_to_the_128_times_g() {
        let mut expected = ProjectivePoint::GENERATOR;
        for _ in 0..128 {
            expected = expected.double();
        }
        assert_eq!(
            ProjectivePoint::from(generator_high().unwrap()),
            expected,
            "GENERATOR_HIGH"
        );
    }

    /// Checks the NAF properties of `naf::<W>(k)` and that its digits sum exactly to `k`.
    fn check_naf<const W: u32>(k: u128) {
        let digits = naf::<W>(k);
        let mut last_nonzero: Option<usize> = None;
        for (i, &d) in digits.iter().enumerate() {
            if d != 0 {
                assert!(d % 2 != 0 && i32::from(d).abs() < 1 << (W - 1), "digit {d}");
                if let Some(j) = last_nonzero {
                    assert!(i - j >= W as usize, "digits {j} and {i} too close");
                }
                last_nonzero = Some(i);
            }
        }
        // Σ dᵢ·2ⁱ in three exact parts: positions 0..64, 64..128 and 128.., carried upwards.
        let part = |range: core::ops::Range<usize>| -> i128 {
            digits[range.clone()]
                .iter()
                .enumerate()
                .map(|(j, &d)| i128::from(d) << j)
                .sum()
        };
        let mask = (1i128 << 64) - 1;
        let low = part(0..64) - (k as i128 & mask);
        assert_eq!(low & mask, 0, "bits 0..64 of {k:#x}");
        let middle = part(64..128) + (low >> 64) - ((k >> 64) as i128);
        assert_eq!(middle & mask, 0, "bits 64..128 of {k:#x}");
        assert_eq!(part(128..DIGITS) + (middle >> 64), 0, "carry of {k:#x}");
    }

    #[test]
    fn naf_digits_are_odd_sparse_and_sum_to_k() {
        let mut k: u128 = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210;
        for special in [
            0,
            1,
            15,
            16,
            31,
            u128::MAX,
            u128::MAX - 7,
            1 << 127,
            (1 << 127) - 1,
        ] {
            check_naf::<4>(special);
            check_naf::<5>(special);
        }
        for _ in 0..2000 {
            k = k
                .wrapping_mul(0x2545_f491_4f6c_dd1d_9e37_79b9_7f4a_7c15)
                .wrapping_add(0x9e37);
            check_naf::<4>(k);
            check_naf::<5>(k);
        }
    }
}
