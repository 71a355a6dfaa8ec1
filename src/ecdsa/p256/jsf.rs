//! The small-stack computation of `R = u1·G + u2·Q` that 32-bit targets verify with.
//!
//! On a Cortex-M, per-key tables (the `wnaf.rs` walk of 64-bit targets) and
//! p256's own windowed method keep more points on the stack than a device can spare.
//! [`verify`] walks the joint sparse form of `(u1, u2)` (Solinas): one doubling per bit, and
//! on half of the bits on average an addition of `±G`, `±Q`, `±(G + Q)` or `±(G - Q)`. Its
//! only points are the accumulator and the two sums, affine.
//!
//! Every input is public (key, message, signature), so the work may depend on it. Every
//! addition uses p256's complete formulas: no input needs a special case.

use p256::elliptic_curve::{PrimeField, group::Group};
use p256::{AffinePoint, FieldBytes, ProjectivePoint, Scalar};

use super::{scalars, x_is_r};

/// What a key keeps for this walk: nothing but its point.
#[cfg(not(target_pointer_width = "64"))]
#[derive(Clone, Copy)]
pub(super) struct NoTables;

#[cfg(not(target_pointer_width = "64"))]
impl NoTables {
    pub(super) fn new(_: &AffinePoint) -> Self {
        NoTables
    }

    /// [`verify`] with the key's point `q`.
    pub(super) fn verify(
        &self,
        q: &AffinePoint,
        digest: &FieldBytes,
        r: &Scalar,
        s: &Scalar,
    ) -> bool {
        verify(q, digest, r, s)
    }
}

/// Whether `(r, s)` (both in `[1, n-1]`, checked by the caller) signs the SHA-256 `digest`
/// for the public point `q` (validated on import, not the identity).
pub(super) fn verify(q: &AffinePoint, digest: &FieldBytes, r: &Scalar, s: &Scalar) -> bool {
    scalars(digest, r, s).is_some_and(|(u1, u2)| x_is_r(&lincomb(q, &u1, &u2), r))
}

/// Columns of a joint sparse form of two scalars below `2^256`.
const COLUMNS: usize = 257;

/// `u1·G + u2·Q` from the joint sparse form of `(u1, u2)`, most significant column first:
/// one doubling per column and an addition of `±G`, `±Q`, `±(G + Q)` or `±(G - Q)` for
/// the non-zero columns, on average half of them (a plain binary walk adds on three
/// quarters). Doublings of the identity before the first non-zero column cost a little time
/// and no special case.
fn lincomb(q: &AffinePoint, u1: &Scalar, u2: &Scalar) -> ProjectivePoint {
    let g = AffinePoint::GENERATOR;
    // Affine, for mixed additions: an inversion each saves more than it costs.
    let sum = (ProjectivePoint::GENERATOR + q).to_affine();
    let difference = (ProjectivePoint::GENERATOR - q).to_affine();
    let columns = joint_sparse_form(&u1.to_repr().into(), &u2.to_repr().into());
    let mut acc = ProjectivePoint::IDENTITY;
    for i in (0..COLUMNS).rev() {
        acc = acc.double();
        match column(&columns, i) {
            (1, 0) => acc += &g,
            (-1, 0) => acc -= &g,
            (0, 1) => acc += q,
            (0, -1) => acc -= q,
            (1, 1) => acc += &sum,
            (-1, -1) => acc -= &sum,
            (1, -1) => acc += &difference,
            (-1, 1) => acc -= &difference,
            _ => {}
        }
    }
    acc
}

/// The joint sparse form of `(k1, k2)` (Solinas 2001; Hankerson, Menezes and Vanstone,
/// Algorithm 3.50): digits in `{-1, 0, 1}` with `k = Σ dᵢ·2ⁱ` for each, at most half of the
/// columns non-zero on average, and no three consecutive non-zero columns. Column `i` is
/// kept in a nibble (`d₁ + 1` in its low two bits, `d₂ + 1` in its high two), two per byte, so the form takes 129 bytes.
fn joint_sparse_form(k1: &[u8; 32], k2: &[u8; 32]) -> [u8; COLUMNS.div_ceil(2)] {
    // Bits `i..i+3` of a big-endian 256-bit number (zero above bit 255).
    let bits3 = |k: &[u8; 32], i: usize| -> i32 {
        (0..3).fold(0, |acc, j| {
            let bit = (i + j)
                .checked_div(8)
                .and_then(|byte| k.get(31usize.checked_sub(byte)?))
                .map_or(0, |&b| i32::from(b >> ((i + j) % 8) & 1));
            acc | bit << j
        })
    };
    let mut form = [0u8; COLUMNS.div_ceil(2)];
    let (mut d1, mut d2) = (0i32, 0i32);
    for i in 0..COLUMNS {
        // `l = k + d` modulo 8, where `k` has been halved `i` times.
        let l1 = (bits3(k1, i) + d1) & 7;
        let l2 = (bits3(k2, i) + d2) & 7;
        let digit = |l: i32, other: i32| -> i32 {
            if l & 1 == 0 {
                return 0;
            }
            let u = if l & 3 == 1 { 1 } else { -1 };
            if (l == 3 || l == 5) && other & 3 == 2 {
                -u
            } else {
                u
            }
        };
        let (u1, u2) = (digit(l1, l2), digit(l2, l1));
        if 2 * d1 == 1 + u1 {
            d1 = 1 - d1;
        }
        if 2 * d2 == 1 + u2 {
            d2 = 1 - d2;
        }
        if let Some(byte) = form.get_mut(i / 2) {
            *byte |= (((u1 + 1) | (u2 + 1) << 2) as u8) << (4 * (i % 2));
        }
    }
    form
}

/// Column `i` of a packed joint sparse form: its two digits.
fn column(form: &[u8], i: usize) -> (i8, i8) {
    let nibble = form.get(i / 2).map_or(0b0101, |&b| b >> (4 * (i % 2))) as i8;
    ((nibble & 3) - 1, (nibble >> 2 & 3) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::{Signer, Verifier};
    use p256::ecdsa::{Signature, SigningKey};
    use sha2::{Digest, Sha256};

    /// Agrees with p256's verification on valid signatures, the malleated `(r, n - s)`, other
    /// messages and altered signatures.
    #[test]
    fn agrees_with_p256_for_valid_and_altered_signatures() {
        let mut seed = [3u8; 32];
        let mut accepted = 0;
        for round in 0u8..64 {
            seed[usize::from(round) % 32] = seed[usize::from(round) % 32]
                .wrapping_mul(29)
                .wrapping_add(round);
            let Ok(signing) = SigningKey::from_slice(&seed) else {
                continue;
            };
            let verifying = *signing.verifying_key();
            let message = [round; 48];
            let signed = &message[..usize::from(round % 48)];
            let signature: Signature = signing.sign(signed);
            let mut bytes = signature.to_bytes();
            let (r, s) = signature.split_scalars();
            match round % 5 {
                1 => bytes[usize::from(round) % 64] ^= 1 << (round % 8),
                2 => bytes[32..].copy_from_slice(&(-*s).to_repr()),
                3 => bytes[..32].copy_from_slice(&(*r + Scalar::ONE).to_repr()),
                _ => {}
            }
            let other = round % 5 == 4;
            let message = if other { &message[..] } else { signed };
            let Ok(candidate) = Signature::from_slice(&bytes) else {
                continue;
            };
            let (r, s) = candidate.split_scalars();
            let ours = verify(verifying.as_affine(), &Sha256::digest(message), &r, &s);
            let theirs = verifying.verify(message, &candidate).is_ok();
            assert_eq!(ours, theirs, "round {round}");
            accepted += usize::from(ours);
        }
        assert!(accepted > 20, "valid and malleated signatures are accepted");
    }

    /// The ladder's point is p256's `u1·G + u2·Q` for edge scalars: small, one bit, all
    /// bits, `n - 1`, and `u1 = u2` (where the addition of `G + Q` meets equal inputs when
    /// `Q = G`).
    #[test]
    fn ladder_point_equals_p256_multiplication() {
        let minus_one = -Scalar::ONE;
        let edges = [
            Scalar::ZERO,
            Scalar::ONE,
            Scalar::from(2u64),
            Scalar::from(u64::MAX),
            minus_one,
            minus_one.double(),
        ];
        // p256's own (constant-time) multiplication.
        let reference = |q: &AffinePoint, u1: &Scalar, u2: &Scalar| {
            ProjectivePoint::GENERATOR * u1 + ProjectivePoint::from(*q) * u2
        };
        for q in [
            AffinePoint::GENERATOR,
            (ProjectivePoint::GENERATOR * minus_one).to_affine(),
        ] {
            for u1 in edges {
                for u2 in edges {
                    assert_eq!(lincomb(&q, &u1, &u2), reference(&q, &u1, &u2));
                }
            }
        }
    }

    /// Every Wycheproof ECDSA P-256 P1363 case, through this walk (the public API runs them
    /// through the tables on 64-bit hosts), including the cases built so that an
    /// intermediate point of Shamir's method is the identity.
    #[test]
    fn wycheproof_p1363_cases() {
        assert_eq!(
            super::super::test_support::wycheproof_p1363(verify),
            (173, 89)
        );
    }

    /// Checks that the form of `(k1, k2)` has digits in `{-1, 0, 1}` summing exactly to each
    /// number, and no three consecutive non-zero columns; returns its non-zero columns.
    fn check_joint_sparse_form(k1: &[u8; 32], k2: &[u8; 32]) -> usize {
        let form = joint_sparse_form(k1, k2);
        let columns: std::vec::Vec<(i8, i8)> = (0..COLUMNS).map(|i| column(&form, i)).collect();
        for (k, digit) in [(k1, 0), (k2, 1)] {
            // Σ dᵢ·2ⁱ in five 64-bit limbs, carried upwards, against k's four limbs.
            let mut limbs = [0i128; 5];
            for (i, &(d1, d2)) in columns.iter().enumerate() {
                let d = if digit == 0 { d1 } else { d2 };
                assert!((-1..=1).contains(&d));
                limbs[i / 64] += i128::from(d) << (i % 64);
            }
            for i in 0..4 {
                let expected = u64::from_be_bytes(k[24 - 8 * i..32 - 8 * i].try_into().unwrap());
                let low = limbs[i] - i128::from(expected);
                assert_eq!(low & ((1 << 64) - 1), 0, "limb {i}");
                limbs[i + 1] += low >> 64;
            }
            assert_eq!(limbs[4], 0, "carry");
        }
        let nonzero: std::vec::Vec<bool> = columns.iter().map(|&c| c != (0, 0)).collect();
        assert!(nonzero.windows(3).all(|w| !(w[0] && w[1] && w[2])));
        nonzero.iter().filter(|&&n| n).count()
    }

    #[test]
    fn joint_sparse_form_is_exact_and_sparse() {
        let mut edges = std::vec![[0u8; 32], [0xFF; 32], (-Scalar::ONE).to_repr().into()];
        edges.extend((0..32).map(|i| {
            let mut k = [0u8; 32];
            k[i] = 0x80 >> (i % 8);
            k
        }));
        for k1 in &edges {
            for k2 in &edges {
                check_joint_sparse_form(k1, k2);
            }
        }
        let mut state = [0x5Au8; 32];
        let mut nonzero = 0;
        for _ in 0..500 {
            let next = Sha256::digest(state);
            let k1: [u8; 32] = state;
            state = next.into();
            nonzero += check_joint_sparse_form(&k1, &state);
        }
        // Half the columns on average (a plain binary walk: three quarters).
        let average = nonzero as f64 / 500.0 / 256.0;
        assert!((0.45..0.55).contains(&average), "density {average}");
    }

    proptest::proptest! {
        /// Agrees with p256's verification on random keys and messages: valid signatures,
        /// `(r, n - s)`, other messages, other keys, and signatures with a byte replaced.
        #[test]
        fn agrees_with_p256_on_random_inputs(case in super::super::test_support::cases()) {
            let outcome = super::super::test_support::against_p256(&case, verify);
            if let Some((ours, theirs)) = outcome {
                proptest::prop_assert_eq!(ours, theirs);
            }
        }
    }
}
