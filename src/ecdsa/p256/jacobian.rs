//! Variable-time P-256 point arithmetic in Jacobian coordinates, on the field of
//! `field.rs`.
//!
//! A point `(X, Y, Z)` stands for the affine `(X/Z², Y/Z³)`; `Z = 0` is the identity. With
//! `a = -3`, doubling costs 4 multiplications and 4 squarings and adding an affine point 8
//! and 3, where p256's complete formulas (constant time, no special cases) cost about 11 and
//! 11. These formulas have special cases (the identity, adding a point to itself or to its
//! negation), handled here by branching. That is allowed only because verification touches
//! public data alone; nothing secret may pass through this module.

use p256::elliptic_curve::ff::PrimeField;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::{AffinePoint, Scalar};

// Elements of the field of P-256 coordinates are always fully reduced: that is what makes
// `==` on elements and the coordinate comparisons below sound.
use super::field::Fe;

/// The group order `n`, which is below `p`.
const ORDER: Fe =
    Fe::from_hex_vartime("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
/// `p - n` (below 2^127): an `x` below `p` reduces to `r` modulo `n` as `x = r` or, when
/// `r < p - n`, as `x = r + n`.
const P_MINUS_ORDER: u128 = 0x4319_0553_58e8_617b_0c46_353d_039c_daae;

/// An affine point other than the identity.
#[derive(Clone, Copy)]
pub(super) struct Affine {
    x: Fe,
    y: Fe,
}

impl Affine {
    /// A point from its canonical big-endian hexadecimal coordinates, for tables fixed at
    /// compile time (a test checks each against p256's arithmetic).
    pub(super) const fn from_hex(x: &str, y: &str) -> Self {
        Affine {
            x: Fe::from_hex_vartime(x),
            y: Fe::from_hex_vartime(y),
        }
    }

    /// p256's point, unless it is the identity.
    pub(super) fn from_p256(point: &AffinePoint) -> Option<Self> {
        if bool::from(point.is_identity()) {
            return None;
        }
        Some(Affine {
            x: Fe::from_bytes(&point.x().into())?,
            y: Fe::from_bytes(&point.y().into())?,
        })
    }

    /// The big-endian coordinates.
    #[cfg(test)]
    pub(super) fn to_bytes(self) -> ([u8; 32], [u8; 32]) {
        (self.x.to_bytes(), self.y.to_bytes())
    }
}

/// A point in Jacobian coordinates.
#[derive(Clone, Copy)]
pub(super) struct Jacobian {
    x: Fe,
    y: Fe,
    z: Fe,
}

impl From<Affine> for Jacobian {
    fn from(p: Affine) -> Self {
        Jacobian {
            x: p.x,
            y: p.y,
            z: Fe::ONE,
        }
    }
}

impl Jacobian {
    pub(super) const IDENTITY: Self = Jacobian {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    fn is_identity(&self) -> bool {
        self.z == Fe::ZERO
    }

    /// `2·self`, for `a = -3` (Hankerson, Menezes and Vanstone, algorithm 3.21): four
    /// multiplications and four squarings, with `8Y⁴` as half of `(2Y)⁴` and `4XY²` as
    /// `X·(2Y)²`, so nine additions and subtractions and a halving where "dbl-2001-b" of the
    /// Explicit-Formulas Database takes fourteen. A point with `Y = 0` would have order 2,
    /// which P-256 has none of, so only the identity is special.
    pub(super) fn double(&self) -> Self {
        if self.is_identity() {
            return *self;
        }
        let zz = self.z.square();
        // 3X² + a·Z⁴ = 3(X - Z²)(X + Z²).
        let t = self.x.sub(&zz).multiply(&self.x.add(&zz));
        let alpha = t.double().add(&t);
        let y2 = self.y.double();
        let yy4 = y2.square();
        let beta4 = self.x.multiply(&yy4);
        let yyyy8 = yy4.square().half();
        let x = alpha.square().sub(&beta4.double());
        Jacobian {
            y: alpha.multiply(&beta4.sub(&x)).sub(&yyyy8),
            z: y2.multiply(&self.z),
            x,
        }
    }

    /// `self + p`, or `self - p` when `negate` ("madd-2004-hmv").
    pub(super) fn add_affine(&self, p: &Affine, negate: bool) -> Self {
        let py = if negate { p.y.neg() } else { p.y };
        if self.is_identity() {
            return Jacobian {
                x: p.x,
                y: py,
                z: Fe::ONE,
            };
        }
        let zz = self.z.square();
        let u = p.x.multiply(&zz);
        let s = py.multiply(&self.z).multiply(&zz);
        let h = u.sub(&self.x);
        let r = s.sub(&self.y);
        if h == Fe::ZERO {
            // Same x: the same point (double it) or its negation (the sum is the identity).
            return if r == Fe::ZERO {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        let hh = h.square();
        let hhh = h.multiply(&hh);
        let v = self.x.multiply(&hh);
        let x = r.square().sub(&hhh).sub(&v.double());
        Jacobian {
            y: r.multiply(&v.sub(&x)).sub(&self.y.multiply(&hhh)),
            z: self.z.multiply(&h),
            x,
        }
    }

    /// Whether the affine x-coordinate, reduced modulo `n`, is `r` (in `[1, n-1]`), compared
    /// as `X = x·Z²` so that no inversion is needed. The identity has no x and matches no `r`.
    pub(super) fn x_reduces_to(&self, r: &Scalar) -> bool {
        if self.is_identity() {
            return false;
        }
        let r_bytes: [u8; 32] = r.to_repr().into();
        let Some(r_fe) = Fe::from_bytes(&r_bytes) else {
            return false;
        };
        let zz = self.z.square();
        if self.x == r_fe.multiply(&zz) {
            return true;
        }
        let half = |chunk: Option<&[u8; 16]>| chunk.map(|c| u128::from_be_bytes(*c));
        let below = half(r_bytes.first_chunk()) == Some(0)
            && half(r_bytes.last_chunk()).is_some_and(|low| low < P_MINUS_ORDER);
        below && self.x == r_fe.add(&ORDER).multiply(&zz)
    }
}

/// The odd multiples `P, 3P, …, (2N-1)·P` of `p`, affine, for one field inversion in all.
///
/// They are `P + k·2P`. Made affine first, `2P = (X, Y, Z)` would cost an inversion of its
/// own; instead the sums are taken on the curve isomorphic to P-256 by
/// `(x, y) ↦ (x·Z², y·Z³)`, where `2P` is the affine `(X, Y)`, so each is a mixed addition
/// (whose formulas do not involve the curve's coefficients), and a point `(X', Y', Z')`
/// there is `(X', Y', Z'·Z)` on P-256 (libsecp256k1 builds its tables the same way). No sum
/// meets the special cases of `add_affine`, which would double with P-256's coefficient:
/// `(2k-1)·P = ±2P` needs the group order `n` to divide `2k - 3` or `2k + 1`, both below it.
pub(super) fn odd_multiples<const N: usize>(p: &Affine) -> Option<[Affine; N]> {
    let twice = Jacobian::from(*p).double();
    let zz = twice.z.square();
    let twice_there = Affine {
        x: twice.x,
        y: twice.y,
    };
    let mut last = Jacobian::from(Affine {
        x: p.x.multiply(&zz),
        y: p.y.multiply(&zz).multiply(&twice.z),
    });
    let mut multiples = [Jacobian::IDENTITY; N];
    for (k, slot) in multiples.iter_mut().enumerate() {
        if k > 0 {
            last = last.add_affine(&twice_there, false);
        }
        *slot = Jacobian {
            z: last.z.multiply(&twice.z),
            ..last
        };
    }
    normalize(&multiples)
}

/// The affine forms of `points`, none of which may be the identity, with one field inversion
/// for all of them (Montgomery's trick). `None` if one is the identity.
pub(super) fn normalize<const N: usize>(points: &[Jacobian; N]) -> Option<[Affine; N]> {
    // prefix[i] = z_0 · … · z_i
    let mut prefix = [Fe::ONE; N];
    let mut product = Fe::ONE;
    for (slot, p) in prefix.iter_mut().zip(points) {
        product = product.multiply(&p.z);
        *slot = product;
    }
    let mut inverse = product.invert_vartime()?;
    let mut out = [Affine {
        x: Fe::ZERO,
        y: Fe::ZERO,
    }; N];
    // Walking back, `inverse` is 1 / (z_0 · … · z_i); times the prefix before i it is 1 / z_i.
    for i in (0..N).rev() {
        let before = i
            .checked_sub(1)
            .and_then(|j| prefix.get(j))
            .unwrap_or(&Fe::ONE);
        let (Some(p), Some(slot)) = (points.get(i), out.get_mut(i)) else {
            return None;
        };
        let z_inv = inverse.multiply(before);
        inverse = inverse.multiply(&p.z);
        let zz_inv = z_inv.square();
        *slot = Affine {
            x: p.x.multiply(&zz_inv),
            y: p.y.multiply(&zz_inv).multiply(&z_inv),
        };
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ProjectivePoint;
    use p256::elliptic_curve::group::Group;

    fn p256_affine(p: &ProjectivePoint) -> ([u8; 32], [u8; 32]) {
        let a = p.to_affine();
        (a.x().into(), a.y().into())
    }

    fn ours(p: &Jacobian) -> ([u8; 32], [u8; 32]) {
        normalize(&[*p]).unwrap()[0].to_bytes()
    }

    /// Doubling, adding, subtracting, adding a point to itself and to its negation agree with
    /// p256's complete formulas over a walk of multiples of `G`.
    #[test]
    fn agrees_with_p256_including_the_special_cases() {
        let g = Affine::from_p256(&AffinePoint::GENERATOR).unwrap();
        let mut theirs = ProjectivePoint::GENERATOR;
        let mut acc = Jacobian::from(g);
        for step in 0..200u32 {
            let table = normalize(&[acc]).unwrap()[0];
            match step % 5 {
                0 | 1 => {
                    acc = acc.double();
                    theirs = theirs.double();
                }
                2 => {
                    acc = acc.add_affine(&g, false);
                    theirs += ProjectivePoint::GENERATOR;
                }
                3 => {
                    acc = acc.add_affine(&g, true);
                    theirs -= ProjectivePoint::GENERATOR;
                }
                _ => {
                    // acc + acc through the addition's own special case.
                    acc = acc.add_affine(&table, false);
                    theirs = theirs.double();
                }
            }
            assert_eq!(ours(&acc), p256_affine(&theirs), "step {step}");
        }
        let table = normalize(&[acc]).unwrap()[0];
        assert!(acc.add_affine(&table, true).is_identity());
        assert!(Jacobian::IDENTITY.double().is_identity());
        let from_identity = Jacobian::IDENTITY.add_affine(&table, false);
        assert_eq!(ours(&from_identity), p256_affine(&theirs));
        assert!(normalize(&[acc, Jacobian::IDENTITY]).is_none());
    }

    /// The comparison with `r` accepts exactly the x-coordinates that reduce to it, including
    /// `x = r + n`, with `Z ≠ 1`.
    #[test]
    fn x_reduces_to_r_without_inversion() {
        let mut p = Jacobian::from(Affine::from_p256(&AffinePoint::GENERATOR).unwrap());
        for _ in 0..3 {
            p = p.double();
        }
        let (x, _) = ours(&p);
        let r = Option::<Scalar>::from(Scalar::from_repr(x.into())).unwrap();
        assert!(p.x_reduces_to(&r));
        assert!(!p.x_reduces_to(&(r + Scalar::ONE)));
        assert!(!Jacobian::IDENTITY.x_reduces_to(&r));
        // A point whose x is r + n needs x ≥ n: build its coordinates by hand.
        let small = Scalar::from(5u64);
        let x_big = Fe::from_u64(5).add(&ORDER);
        let z = Fe::from_u64(7);
        let fake = Jacobian {
            x: x_big.multiply(&z.square()),
            y: Fe::ONE,
            z,
        };
        assert!(fake.x_reduces_to(&small));
        assert!(!fake.x_reduces_to(&Scalar::from(6u64)));
    }
}
