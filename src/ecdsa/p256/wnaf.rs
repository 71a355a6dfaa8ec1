//! Variable-time ES256 verification with per-key tables.
//!
//! Verification touches only public data (key, message, signature), so it need not run in
//! constant time. It computes `u1·G + u2·Q` as eight interleaved width-w NAF streams over the
//! 64-bit quarters of the two scalars, `u1 = Σ aⱼ·2^(64·j)` and `u2 = Σ cⱼ·2^(64·j)`:
//! `Σ aⱼ·(2^(64·j)·G) + Σ cⱼ·(2^(64·j)·Q)`, so one chain of 64 doublings serves all eight.
//! The odd multiples of the four `2^(64·j)·Q` are computed once, when the key is imported;
//! those of the four `2^(64·j)·G` are constants (`generator_tables.rs`). All are affine, for
//! the cheaper mixed additions of `jacobian.rs`, and the result is compared with `r` without
//! leaving Jacobian coordinates.
//!
//! Only on 64-bit targets: on a Cortex-M the tables and this code cost more flash and stack
//! than p256's own verification, so there keys verify with the small-stack walk of
//! `jsf.rs`.

use p256::elliptic_curve::PrimeField;
use p256::{AffinePoint, FieldBytes, Scalar};

use super::generator_tables::GENERATOR_TABLES;
use super::jacobian::{Affine, Jacobian, normalize};
use super::scalars;

/// Quarters of a scalar, each the span of one stream.
const QUARTERS: usize = 4;
/// Window of the key's streams: tables of `2^(4-2) = 4` odd multiples per quarter (1 KB per
/// key; a window of 5 saves about 5% of a verification for twice the memory).
const KEY_WINDOW: u32 = 4;
const KEY_TABLE: usize = 1 << (KEY_WINDOW - 2);
/// Window of the generator's streams (the width of `GENERATOR_TABLES`' rows).
pub(super) const GENERATOR_WINDOW: u32 = 7;
const GENERATOR_TABLE: usize = 1 << (GENERATOR_WINDOW - 2);
/// NAF digits of a 64-bit quarter: its bits, and room for the final carry of any window up
/// to 8.
pub(super) const DIGITS: usize = 64 + 8;

/// The per-key tables: the odd multiples `B, 3B, 5B, 7B` of `B = 2^(64·j)·Q` for each
/// quarter `j`, affine.
#[derive(Clone, Copy)]
pub(super) struct KeyTables {
    /// `None` only for the identity, which import refuses: such tables verify nothing.
    quarters: Option<[[Affine; KEY_TABLE]; QUARTERS]>,
}

impl KeyTables {
    /// Builds the tables of a validated public point `q`.
    pub(super) fn new(q: &AffinePoint) -> Self {
        KeyTables {
            quarters: Self::build(q),
        }
    }

    /// The tables, or `None` for the identity.
    fn build(q: &AffinePoint) -> Option<[[Affine; KEY_TABLE]; QUARTERS]> {
        let mut base = Jacobian::from(Affine::from_p256(q)?);
        let bases: [Jacobian; QUARTERS] = core::array::from_fn(|j| {
            if j > 0 {
                for _ in 0..64 {
                    base = base.double();
                }
            }
            base
        });
        // Each base and its double, affine, for the mixed additions that build the tables.
        let [b0, b1, b2, b3] = bases;
        let [a0, a1, a2, a3, d0, d1, d2, d3] = normalize(&[
            b0,
            b1,
            b2,
            b3,
            b0.double(),
            b1.double(),
            b2.double(),
            b3.double(),
        ])?;
        let multiples = [(a0, d0), (a1, d1), (a2, d2), (a3, d3)].map(|(base, twice)| {
            let mut last = Jacobian::from(base);
            core::array::from_fn::<_, KEY_TABLE, _>(|_| {
                let this = last;
                last = last.add_affine(&twice, false);
                this
            })
        });
        let [m0, m1, m2, m3] = multiples.map(|row| normalize(&row));
        Some([m0?, m1?, m2?, m3?])
    }

    /// Whether `(r, s)` (both in `[1, n-1]`, checked by the caller) signs the SHA-256
    /// `digest` for the key these tables were built from (SEC 1 section 4.1.4).
    pub(super) fn verify(
        &self,
        _: &AffinePoint,
        digest: &FieldBytes,
        r: &Scalar,
        s: &Scalar,
    ) -> bool {
        let Some(key_tables) = &self.quarters else {
            return false;
        };
        scalars(digest, r, s).is_some_and(|(u1, u2)| lincomb(key_tables, &u1, &u2).x_reduces_to(r))
    }
}

/// `u1·G + u2·Q`, where `key_tables` are the tables of `Q`.
fn lincomb(key_tables: &[[Affine; KEY_TABLE]; QUARTERS], u1: &Scalar, u2: &Scalar) -> Jacobian {
    let generator = quarters(u1).map(naf::<GENERATOR_WINDOW>);
    let key = quarters(u2).map(naf::<KEY_WINDOW>);

    // Start at the highest non-zero digit of any stream: the doublings before it are of the
    // identity.
    let nonzero_at = |i: usize| {
        let at = |s: &[i8; DIGITS]| s.get(i).is_some_and(|&d| d != 0);
        generator.iter().any(at) || key.iter().any(at)
    };
    let top = (0..DIGITS).rev().find(|&i| nonzero_at(i)).unwrap_or(0);
    let mut acc = Jacobian::IDENTITY;
    for i in (0..=top).rev() {
        acc = acc.double();
        for (digits, table) in generator.iter().zip(&GENERATOR_TABLES) {
            add(&mut acc, table, digits.get(i).copied().unwrap_or(0));
        }
        for (digits, table) in key.iter().zip(key_tables) {
            add(&mut acc, table, digits.get(i).copied().unwrap_or(0));
        }
    }
    acc
}

/// The four 64-bit quarters of a scalar, least significant first.
pub(super) fn quarters(k: &Scalar) -> [u64; QUARTERS] {
    let bytes: [u8; 32] = k.to_repr().into();
    let mut out = [0u64; QUARTERS];
    for (slot, chunk) in out.iter_mut().zip(bytes.rchunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *slot = u64::from_be_bytes(word);
    }
    out
}

/// The width-`W` non-adjacent form of `k`, least significant digit first: `k = Σ dᵢ·2ⁱ` with
/// every non-zero `dᵢ` odd and below `2^(W-1)` in magnitude, and at least `W - 1` zeros
/// after each.
pub(super) fn naf<const W: u32>(k: u64) -> [i8; DIGITS] {
    let width = 1u32 << W;
    let mut digits = [0i8; DIGITS];
    let mut pos = 0usize;
    let mut carry = 0u32;
    while pos < DIGITS {
        let bits = if pos < 64 {
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

/// `acc += digit·B` where `table` holds the odd multiples of `B`.
pub(super) fn add(acc: &mut Jacobian, table: &[Affine], digit: i8) {
    if digit == 0 {
        return;
    }
    if let Some(point) = table.get(usize::from(digit.unsigned_abs() >> 1)) {
        *acc = acc.add_affine(point, digit < 0);
    }
}

const _: () = assert!(GENERATOR_TABLES[0].len() == GENERATOR_TABLE);

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ProjectivePoint;
    use p256::elliptic_curve::group::Group;
    use p256::elliptic_curve::point::AffineCoordinates;

    fn tables_of(point: &ProjectivePoint) -> [[Affine; KEY_TABLE]; QUARTERS] {
        KeyTables::new(&point.to_affine()).quarters.unwrap()
    }

    fn same_point(ours: &Jacobian, theirs: &ProjectivePoint) -> bool {
        match normalize(&[*ours]) {
            Some([p]) => {
                let theirs = theirs.to_affine();
                p.to_bytes() == (theirs.x().into(), theirs.y().into())
            }
            None => bool::from(theirs.is_identity()),
        }
    }

    /// Agrees with p256's verification on valid signatures and altered ones.
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
            let ours = tables.verify(verifying.as_affine(), &Sha256::digest(signed), &r, &s);
            let theirs = verifying.verify(signed, &candidate).is_ok();
            assert_eq!(ours, theirs, "round {round}");
            assert_eq!(ours, altered == 0, "round {round}");
        }
    }

    proptest::proptest! {
        /// Agrees with p256's verification on random keys and messages: valid signatures,
        /// `(r, n - s)`, other messages, other keys, and signatures with a byte replaced.
        #[test]
        fn agrees_with_p256_on_random_inputs(case in super::super::test_support::cases()) {
            let outcome = super::super::test_support::against_p256(&case, |q, digest, r, s| KeyTables::new(q).verify(q, digest, r, s));
            if let Some((ours, theirs)) = outcome {
                proptest::prop_assert_eq!(ours, theirs);
            }
        }
    }

    /// `u1·G + u2·Q` equals p256's result for scalars at the edges of the quarters and of the
    /// NAF carries, including sums that are the identity or that add a point to itself.
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
        ];
        let seven = Scalar::from(7u64);
        let q = ProjectivePoint::GENERATOR * seven;
        let key = tables_of(&q);
        for u1 in edges {
            for u2 in edges {
                let theirs = ProjectivePoint::GENERATOR * u1 + q * u2;
                assert!(same_point(&lincomb(&key, &u1, &u2), &theirs));
            }
            // u2 = -u1/7 makes the sum the identity; u2 = u1/7 makes it 2·u1·G, whose last
            // addition adds a point to itself.
            let u2 = u1 * Option::<Scalar>::from(seven.invert()).unwrap();
            assert!(same_point(
                &lincomb(&key, &u1, &-u2),
                &ProjectivePoint::IDENTITY
            ));
            let doubled = ProjectivePoint::GENERATOR * (u1 + u1);
            assert!(same_point(&lincomb(&key, &u1, &u2), &doubled));
        }
    }

    /// The constants of `generator_tables.rs` are the odd multiples of `2^(64·j)·G`, computed
    /// here with p256's arithmetic. With `JWT_CORE_WRITE_TABLES=1`, rewrites the file instead.
    #[test]
    fn generator_tables_hold_the_odd_multiples_of_the_quarter_bases() {
        let mut rows = std::vec::Vec::new();
        let mut base = ProjectivePoint::GENERATOR;
        for _ in 0..QUARTERS {
            let mut row = std::vec::Vec::new();
            let mut point = base;
            for _ in 0..GENERATOR_TABLE {
                let affine = point.to_affine();
                row.push((<[u8; 32]>::from(affine.x()), <[u8; 32]>::from(affine.y())));
                point += base.double();
            }
            rows.push(row);
            for _ in 0..64 {
                base = base.double();
            }
        }
        if std::env::var_os("JWT_CORE_WRITE_TABLES").is_some() {
            write_generator_tables(&rows);
            return;
        }
        for (j, (row, constants)) in rows.iter().zip(&GENERATOR_TABLES).enumerate() {
            for (k, (expected, constant)) in row.iter().zip(constants).enumerate() {
                assert!(
                    constant.to_bytes() == *expected,
                    "GENERATOR_TABLES[{j}][{k}]"
                );
            }
        }
    }

    fn write_generator_tables(rows: &[std::vec::Vec<([u8; 32], [u8; 32])>]) {
        use std::fmt::Write;
        let hex = |bytes: &[u8; 32]| {
            bytes.iter().fold(std::string::String::new(), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            })
        };
        let mut out = std::string::String::new();
        let module_doc = GENERATOR_TABLES_DOC.trim_start();
        out.push_str(module_doc);
        let _ = writeln!(
            out,
            "pub(super) const GENERATOR_TABLES: [[Affine; {GENERATOR_TABLE}]; {QUARTERS}] = ["
        );
        for row in rows {
            out.push_str("    [\n");
            for (x, y) in row {
                let _ = writeln!(
                    out,
                    "        Affine::from_hex(\n            \"{}\",\n            \"{}\",\n        ),",
                    hex(x),
                    hex(y)
                );
            }
            out.push_str("    ],\n");
        }
        out.push_str("];\n");
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/es256/generator_tables.rs");
        std::fs::write(path, out).unwrap();
    }

    /// Everything in `generator_tables.rs` above the table itself.
    const GENERATOR_TABLES_DOC: &str = "
//! The odd multiples `B, 3B, …, 63B` of the four generator bases `B = 2^(64·j)·G`, one
//! row per quarter `j` of a scalar, as affine points.
//!
//! Generated: `JWT_CORE_WRITE_TABLES=1 cargo test --lib generator_tables` rewrites this file
//! from p256's arithmetic, and the same test, run without the variable, checks every entry.

use super::jacobian::Affine;

/// `GENERATOR_TABLES[j][k] = (2k + 1)·2^(64·j)·G`.
";
    /// Checks the NAF properties of `naf::<W>(k)` and that its digits sum exactly to `k`.
    fn check_naf<const W: u32>(k: u64) {
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
        // Σ dᵢ·2ⁱ fits an i128: the digits end by position 72.
        let sum: i128 = digits
            .iter()
            .enumerate()
            .map(|(i, &d)| i128::from(d) << i)
            .sum();
        assert_eq!(sum, i128::from(k), "digits of {k:#x}");
    }

    #[test]
    fn naf_digits_are_odd_sparse_and_sum_to_k() {
        let mut k: u64 = 0x0123_4567_89ab_cdef;
        for special in [
            0,
            1,
            15,
            16,
            31,
            u64::MAX,
            u64::MAX - 7,
            1 << 63,
            (1 << 63) - 1,
        ] {
            check_naf::<5>(special);
            check_naf::<GENERATOR_WINDOW>(special);
        }
        for _ in 0..4000 {
            k = k.wrapping_mul(0x2545_f491_4f6c_dd1d).wrapping_add(0x9e37);
            check_naf::<KEY_WINDOW>(k);
            check_naf::<GENERATOR_WINDOW>(k);
        }
    }

    /// The quarters put the least significant 64 bits first.
    #[test]
    fn quarters_split_a_scalar_least_significant_first() {
        let k = Scalar::from(0x1234u64) + (0..192).fold(Scalar::ONE, |a, _| a.double());
        assert_eq!(quarters(&k), [0x1234, 0, 0, 1]);
    }
}
