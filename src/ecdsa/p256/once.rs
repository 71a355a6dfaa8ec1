//! Variable-time ES256 verification for a key used once, without per-key tables.
//!
//! A DPoP proof carries its key and is its only signature. Tabling that key (`wnaf.rs`)
//! costs 192 doublings and five inversions, more than the verification it serves, and pays
//! off only over many signatures. Here `u1·G + u2·Q` is one chain of 256 doublings. The
//! width-5 NAF of `u2` adds the odd multiples `Q, 3Q, …, 15Q`, made for this verification
//! (one doubling, seven additions, one inversion); the width-7 NAFs of the 64-bit quarters of
//! `u1` add the constant odd multiples of `2^(64·j)·G` (`generator_tables.rs`), in the last 72
//! doublings, where quarter `j`'s digit `i` lands on `2^i·2^(64·j)·G`. The key's NAF is read
//! by quarters too, quarter `j`'s digit `i` at position `64·j + i`: each quarter's digits
//! sum exactly to it, so where one quarter's final carry meets the next quarter's first
//! digits both are added.
//!
//! Every input is public (key, message, signature), so the work may depend on it; the point
//! arithmetic is that of `jacobian.rs`, and the result is compared with `r` as `X = r·Z²`.

use p256::{AffinePoint, FieldBytes, Scalar};

use super::generator_tables::GENERATOR_TABLES;
use super::jacobian::{Affine, Jacobian, odd_multiples};
use super::scalars;
use super::wnaf::{DIGITS, GENERATOR_WINDOW, add, naf, quarters};

/// Window of the key's NAF: `2^(5-2) = 8` odd multiples. Width 4 adds a sixth more often
/// (about 51 additions instead of 43) for four fewer multiples; width 6 saves 6 additions
/// for 8 more multiples, which cost more.
const KEY_WINDOW: u32 = 5;
const KEY_TABLE: usize = 1 << (KEY_WINDOW - 2);

/// Whether `(r, s)` (both in `[1, n-1]`, checked by the caller) signs the SHA-256 `digest`
/// for the public point `q` (validated on import, not the identity).
pub(super) fn verify(q: &AffinePoint, digest: &FieldBytes, r: &Scalar, s: &Scalar) -> bool {
    let Some(multiples) = Affine::from_p256(q).and_then(|q| odd_multiples(&q)) else {
        return false;
    };
    scalars(digest, r, s).is_some_and(|(u1, u2)| lincomb(&multiples, &u1, &u2).x_reduces_to(r))
}

/// `u1·G + u2·Q`, where `key` holds the odd multiples `Q, 3Q, …, 15Q`.
fn lincomb(key: &[Affine; KEY_TABLE], u1: &Scalar, u2: &Scalar) -> Jacobian {
    let generator = quarters(u1).map(naf::<GENERATOR_WINDOW>);
    let key_digits = quarters(u2).map(naf::<KEY_WINDOW>);
    // Quarter `j`'s digit at chain position `i`, for the key's digits.
    let key_digit = |j: usize, i: usize| -> i8 {
        i.checked_sub(64 * j)
            .and_then(|at| key_digits.get(j)?.get(at).copied())
            .unwrap_or(0)
    };
    let generator_digit = |j: usize, i: usize| -> i8 {
        generator
            .get(j)
            .and_then(|d| d.get(i).copied())
            .unwrap_or(0)
    };

    // Start at the highest non-zero digit: the doublings before it are of the identity.
    let positions = 64 * 3 + DIGITS;
    let nonzero_at = |i: usize| (0..4).any(|j| key_digit(j, i) != 0 || generator_digit(j, i) != 0);
    let top = (0..positions).rev().find(|&i| nonzero_at(i)).unwrap_or(0);
    let mut acc = Jacobian::IDENTITY;
    for i in (0..=top).rev() {
        acc = acc.double();
        for j in 0..4 {
            add(&mut acc, key, key_digit(j, i));
        }
        if i < DIGITS {
            for (j, table) in GENERATOR_TABLES.iter().enumerate() {
                add(&mut acc, table, generator_digit(j, i));
            }
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ProjectivePoint;
    use p256::elliptic_curve::group::Group;
    use p256::elliptic_curve::point::AffineCoordinates;

    use super::super::jacobian::normalize;

    fn same_point(ours: &Jacobian, theirs: &ProjectivePoint) -> bool {
        match normalize(&[*ours]) {
            Some([p]) => {
                let theirs = theirs.to_affine();
                p.to_bytes() == (theirs.x().into(), theirs.y().into())
            }
            None => bool::from(theirs.is_identity()),
        }
    }

    fn multiples_of(point: &ProjectivePoint) -> [Affine; KEY_TABLE] {
        odd_multiples(&Affine::from_p256(&point.to_affine()).unwrap()).unwrap()
    }

    /// The odd multiples, built on the isomorphic curve, are p256's `(2k+1)·Q`, for the
    /// generator, a point with `Z = 1` after doubling, and random-looking points.
    #[test]
    fn odd_multiples_are_p256_multiples() {
        for scalar in [1u64, 2, 7, 0xdead_beef, u64::MAX] {
            let q = ProjectivePoint::GENERATOR * Scalar::from(scalar);
            for (k, ours) in multiples_of(&q).iter().enumerate() {
                let theirs = (q * Scalar::from(2 * k as u64 + 1)).to_affine();
                assert!(
                    ours.to_bytes() == (theirs.x().into(), theirs.y().into()),
                    "{scalar}: multiple {}",
                    2 * k + 1
                );
            }
        }
        let minus_g = -ProjectivePoint::GENERATOR;
        let theirs = (minus_g * Scalar::from(15u64)).to_affine();
        assert!(multiples_of(&minus_g)[7].to_bytes() == (theirs.x().into(), theirs.y().into()));
    }

    /// `u1·G + u2·Q` equals p256's result for scalars at the edges of the quarters, the NAF
    /// carries and the chain, including sums that are the identity or that add a point to
    /// itself, for `Q = G` (where the key's and the generator's additions meet) and another
    /// key.
    #[test]
    fn linear_combination_agrees_with_p256_at_the_edges() {
        let minus_one = -Scalar::ONE;
        let two_to = |bits: u32| (0..bits).fold(Scalar::ONE, |acc, _| acc.double());
        let edges = [
            Scalar::ZERO,
            Scalar::ONE,
            minus_one,
            two_to(63),
            two_to(64),
            two_to(64) - Scalar::ONE,
            two_to(128) - Scalar::ONE,
            two_to(192),
            two_to(255),
            Scalar::from(0x7fff_ffff_ffff_ffffu64),
            Scalar::from(0xf7ff_ffff_ffff_fff8u64),
        ];
        let seven = Scalar::from(7u64);
        for q in [
            ProjectivePoint::GENERATOR,
            ProjectivePoint::GENERATOR * seven,
        ] {
            let key = multiples_of(&q);
            for u1 in edges {
                for u2 in edges {
                    let theirs = ProjectivePoint::GENERATOR * u1 + q * u2;
                    assert!(same_point(&lincomb(&key, &u1, &u2), &theirs));
                }
            }
        }
        // With Q = 7G, u2 = -u1/7 makes the sum the identity; u2 = u1/7 makes it 2·u1·G.
        let q = ProjectivePoint::GENERATOR * seven;
        let key = multiples_of(&q);
        for u1 in edges {
            let u2 = u1 * Option::<Scalar>::from(seven.invert()).unwrap();
            assert!(same_point(
                &lincomb(&key, &u1, &-u2),
                &ProjectivePoint::IDENTITY
            ));
            let doubled = ProjectivePoint::GENERATOR * (u1 + u1);
            assert!(same_point(&lincomb(&key, &u1, &u2), &doubled));
        }
    }

    /// Every Wycheproof ECDSA P-256 P1363 case, through this path (the public API's ES256
    /// keys verify with tables on 64-bit hosts), including the cases built so that an
    /// intermediate point of Shamir's method is the identity and the ones whose `x` of `R`
    /// is above `n`.
    #[test]
    fn wycheproof_p1363_cases() {
        assert_eq!(
            super::super::test_support::wycheproof_p1363(verify),
            (173, 89)
        );
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
