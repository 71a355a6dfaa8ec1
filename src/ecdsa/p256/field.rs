//! The field of P-256 coordinates, `p = 2^256 - 2^224 + 2^192 + 2^96 - 1`, for the
//! variable-time point arithmetic of `jacobian.rs` (64-bit targets).
//!
//! An element is four 64-bit limbs, least significant first, in Montgomery form (`a` is
//! kept as `a·2^256 mod p`), always reduced below `p`, so equal elements have equal limbs:
//! `==` and the coordinate comparisons of `jacobian.rs` rely on it. A product is the
//! schoolbook product of the limbs (128-bit partial products) and a word-by-word Montgomery
//! reduction (Handbook of Applied Cryptography, algorithm 14.32) made cheap by the shape of
//! `p`: `-p⁻¹ mod 2^64 = 1`, and `p`'s limbs are `2^64 - 1`, `2^32 - 1`, `0` and
//! `2^64 - 2^32 + 1`; it is the algorithm of p256 0.13's 64-bit field. p256 0.14's own
//! element multiplies through generic multi-precision code, about three times the
//! instructions, which was most of a verification.
//!
//! The code has no secret-dependent branch, but it is written and tested for public data
//! only, like the rest of these modules.

use p256::elliptic_curve::ff::PrimeField;
use p256::elliptic_curve::hazmat::FieldArithmetic;

/// p256's own field element, for its inversion.
type Theirs = <p256::NistP256 as FieldArithmetic>::FieldElement;

/// An element of the field, in Montgomery form and below `p`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Fe([u64; 4]);

/// `p`, least significant limb first.
const P: [u64; 4] = [u64::MAX, 0x0000_0000_ffff_ffff, 0, 0xffff_ffff_0000_0001];

/// `2^512 mod p`: a Montgomery product with it puts a value into Montgomery form.
const R2: [u64; 4] = [
    0x0000_0000_0000_0003,
    0xffff_fffb_ffff_ffff,
    0xffff_ffff_ffff_fffe,
    0x0000_0004_ffff_fffd,
];

impl Fe {
    pub(super) const ZERO: Self = Fe([0; 4]);
    /// `1`, in Montgomery form `2^256 mod p`.
    pub(super) const ONE: Self = Fe([1, 0xffff_ffff_0000_0000, u64::MAX, 0x0000_0000_ffff_fffe]);

    /// The element of 64 big-endian hexadecimal digits, for constants: evaluated at compile
    /// time, where a digit string that is not an element below `p` stops the build.
    #[allow(clippy::panic)] // Only in constants: a panic here is a compile error.
    pub(super) const fn from_hex_vartime(hex: &str) -> Self {
        let [mut l0, mut l1, mut l2, mut l3] = [0u64; 4];
        let mut digits = 0;
        let mut rest = hex.as_bytes();
        while let [c, tail @ ..] = rest {
            let nibble = match *c {
                b'0'..=b'9' => *c - b'0',
                b'a'..=b'f' => *c - b'a' + 10,
                b'A'..=b'F' => *c - b'A' + 10,
                _ => panic!("not a hexadecimal digit"),
            };
            l3 = l3 << 4 | l2 >> 60;
            l2 = l2 << 4 | l1 >> 60;
            l1 = l1 << 4 | l0 >> 60;
            l0 = l0 << 4 | nibble as u64;
            digits += 1;
            rest = tail;
        }
        match Self::from_canonical([l0, l1, l2, l3]) {
            Some(fe) if digits == 64 => fe,
            _ => panic!("not 64 digits of an element below p"),
        }
    }

    /// The element of 32 big-endian bytes, unless they are `p` or more.
    pub(super) fn from_bytes(bytes: &[u8; 32]) -> Option<Self> {
        let mut limbs = [0u64; 4];
        for (limb, chunk) in limbs.iter_mut().rev().zip(bytes.chunks_exact(8)) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            *limb = u64::from_be_bytes(word);
        }
        Self::from_canonical(limbs)
    }

    /// The 32 big-endian bytes of the element's value.
    pub(super) fn to_bytes(self) -> [u8; 32] {
        let [l0, l1, l2, l3] = self.0;
        let Fe(value) = montgomery_reduce([l0, l1, l2, l3, 0, 0, 0, 0]);
        let mut out = [0u8; 32];
        for (chunk, limb) in out.chunks_exact_mut(8).zip(value.iter().rev()) {
            chunk.copy_from_slice(&limb.to_be_bytes());
        }
        out
    }

    #[cfg(test)]
    pub(super) fn from_u64(value: u64) -> Self {
        Self::from_canonical([value, 0, 0, 0]).unwrap_or(Self::ZERO)
    }

    /// The Montgomery form of the value of `limbs`, unless it is `p` or more.
    const fn from_canonical(limbs: [u64; 4]) -> Option<Self> {
        let [l0, l1, l2, l3] = limbs;
        let (_, borrow) = sbb(l0, P[0], 0);
        let (_, borrow) = sbb(l1, P[1], borrow);
        let (_, borrow) = sbb(l2, P[2], borrow);
        let (_, borrow) = sbb(l3, P[3], borrow);
        if borrow == 0 {
            return None;
        }
        Some(Fe(limbs).multiply(&Fe(R2)))
    }

    /// `self + rhs`.
    pub(super) const fn add(&self, rhs: &Self) -> Self {
        let ([a0, a1, a2, a3], [b0, b1, b2, b3]) = (self.0, rhs.0);
        let (w0, carry) = adc(a0, b0, 0);
        let (w1, carry) = adc(a1, b1, carry);
        let (w2, carry) = adc(a2, b2, carry);
        let (w3, w4) = adc(a3, b3, carry);
        subtract_p_once([w0, w1, w2, w3, w4])
    }

    /// `2·self`.
    pub(super) const fn double(&self) -> Self {
        self.add(self)
    }

    /// `self - rhs`.
    pub(super) const fn sub(&self, rhs: &Self) -> Self {
        let ([a0, a1, a2, a3], [b0, b1, b2, b3]) = (self.0, rhs.0);
        let (w0, borrow) = sbb(a0, b0, 0);
        let (w1, borrow) = sbb(a1, b1, borrow);
        let (w2, borrow) = sbb(a2, b2, borrow);
        let (w3, borrow) = sbb(a3, b3, borrow);
        // Below zero: add `p` back (all-ones mask), the carry out cancelling the borrow.
        let mask = 0u64.wrapping_sub(borrow);
        let (w0, carry) = adc(w0, P[0] & mask, 0);
        let (w1, carry) = adc(w1, P[1] & mask, carry);
        let (w2, carry) = adc(w2, P[2] & mask, carry);
        let (w3, _) = adc(w3, P[3] & mask, carry);
        Fe([w0, w1, w2, w3])
    }

    /// `self / 2`: the value, plus `p` when it is odd, shifted right by one bit.
    pub(super) const fn half(&self) -> Self {
        let [a0, a1, a2, a3] = self.0;
        let odd = 0u64.wrapping_sub(a0 & 1);
        let (w0, carry) = adc(a0, P[0] & odd, 0);
        let (w1, carry) = adc(a1, P[1] & odd, carry);
        let (w2, carry) = adc(a2, P[2] & odd, carry);
        let (w3, w4) = adc(a3, P[3] & odd, carry);
        Fe([
            w0 >> 1 | w1 << 63,
            w1 >> 1 | w2 << 63,
            w2 >> 1 | w3 << 63,
            w3 >> 1 | w4 << 63,
        ])
    }

    /// `-self`.
    pub(super) const fn neg(&self) -> Self {
        Self::ZERO.sub(self)
    }

    /// `self · rhs`.
    pub(super) const fn multiply(&self, rhs: &Self) -> Self {
        let ([a0, a1, a2, a3], [b0, b1, b2, b3]) = (self.0, rhs.0);
        let (w0, carry) = mac(0, a0, b0, 0);
        let (w1, carry) = mac(0, a0, b1, carry);
        let (w2, carry) = mac(0, a0, b2, carry);
        let (w3, w4) = mac(0, a0, b3, carry);

        let (w1, carry) = mac(w1, a1, b0, 0);
        let (w2, carry) = mac(w2, a1, b1, carry);
        let (w3, carry) = mac(w3, a1, b2, carry);
        let (w4, w5) = mac(w4, a1, b3, carry);

        let (w2, carry) = mac(w2, a2, b0, 0);
        let (w3, carry) = mac(w3, a2, b1, carry);
        let (w4, carry) = mac(w4, a2, b2, carry);
        let (w5, w6) = mac(w5, a2, b3, carry);

        let (w3, carry) = mac(w3, a3, b0, 0);
        let (w4, carry) = mac(w4, a3, b1, carry);
        let (w5, carry) = mac(w5, a3, b2, carry);
        let (w6, w7) = mac(w6, a3, b3, carry);

        montgomery_reduce([w0, w1, w2, w3, w4, w5, w6, w7])
    }

    /// `self²`: each cross product once, doubled, then the squares (10 products of limbs
    /// instead of 16).
    pub(super) const fn square(&self) -> Self {
        let [a0, a1, a2, a3] = self.0;
        let (w1, carry) = mac(0, a0, a1, 0);
        let (w2, carry) = mac(0, a0, a2, carry);
        let (w3, w4) = mac(0, a0, a3, carry);
        let (w3, carry) = mac(w3, a1, a2, 0);
        let (w4, w5) = mac(w4, a1, a3, carry);
        let (w5, w6) = mac(w5, a2, a3, 0);

        let w7 = w6 >> 63;
        let w6 = w6 << 1 | w5 >> 63;
        let w5 = w5 << 1 | w4 >> 63;
        let w4 = w4 << 1 | w3 >> 63;
        let w3 = w3 << 1 | w2 >> 63;
        let w2 = w2 << 1 | w1 >> 63;
        let w1 = w1 << 1;

        let (w0, carry) = mac(0, a0, a0, 0);
        let (w1, carry) = adc(w1, 0, carry);
        let (w2, carry) = mac(w2, a1, a1, carry);
        let (w3, carry) = adc(w3, 0, carry);
        let (w4, carry) = mac(w4, a2, a2, carry);
        let (w5, carry) = adc(w5, 0, carry);
        let (w6, carry) = mac(w6, a3, a3, carry);
        let (w7, _) = adc(w7, 0, carry);

        montgomery_reduce([w0, w1, w2, w3, w4, w5, w6, w7])
    }

    /// `1 / self`, unless `self` is zero, by p256's variable-time inversion (a binary
    /// extended GCD, about a third of the instructions of `self^(p-2)`).
    pub(super) fn invert_vartime(&self) -> Option<Self> {
        let theirs: Theirs = Option::from(Theirs::from_repr(self.to_bytes().into()))?;
        let inverse: Theirs = Option::from(theirs.invert_vartime())?;
        Self::from_bytes(&inverse.to_repr().into())
    }
}

/// `a + b + carry`, and the carry out.
#[inline(always)]
const fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + b as u128 + carry as u128;
    (t as u64, (t >> 64) as u64)
}

/// `a - b - borrow` (borrow 0 or 1), and the borrow out.
#[inline(always)]
const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub(b as u128 + borrow as u128);
    (t as u64, (t >> 127) as u64)
}

/// `a + b·c + carry`, as its low and high limbs (it fits: at most `2^128 - 1`).
#[inline(always)]
const fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + (b as u128) * (c as u128) + carry as u128;
    (t as u64, (t >> 64) as u64)
}

/// The element of a five-limb value below `2p`: the value, or the value minus `p`.
#[inline(always)]
const fn subtract_p_once(value: [u64; 5]) -> Fe {
    let [v0, v1, v2, v3, v4] = value;
    let (w0, borrow) = sbb(v0, P[0], 0);
    let (w1, borrow) = sbb(v1, P[1], borrow);
    let (w2, borrow) = sbb(v2, P[2], borrow);
    let (w3, borrow) = sbb(v3, P[3], borrow);
    let (_, borrow) = sbb(v4, 0, borrow);
    // Below `p` (a borrow out): keep the value (all-ones mask).
    let keep = 0u64.wrapping_sub(borrow);
    Fe([
        (v0 & keep) | (w0 & !keep),
        (v1 & keep) | (w1 & !keep),
        (v2 & keep) | (w2 & !keep),
        (v3 & keep) | (w3 & !keep),
    ])
}

/// `t / 2^256 mod p` for `t < p·2^256` (eight limbs, least significant first). Each of the
/// four steps adds `k·p·2^(64·i)` with `k` the lowest remaining limb (`-p⁻¹ mod 2^64 = 1`),
/// which clears that limb: `k·(2^64 - 1) + k = k·2^64` carries `k`, `p`'s third limb is zero
/// and its second and fourth are multiplied. The result is below `2p`.
#[inline(always)]
const fn montgomery_reduce(t: [u64; 8]) -> Fe {
    let [r0, r1, r2, r3, r4, r5, r6, r7] = t;

    let (r1, carry) = mac(r1, r0, P[1], r0);
    let (r2, carry) = adc(r2, 0, carry);
    let (r3, carry) = mac(r3, r0, P[3], carry);
    let (r4, carry2) = adc(r4, 0, carry);

    let (r2, carry) = mac(r2, r1, P[1], r1);
    let (r3, carry) = adc(r3, 0, carry);
    let (r4, carry) = mac(r4, r1, P[3], carry);
    let (r5, carry2) = adc(r5, carry2, carry);

    let (r3, carry) = mac(r3, r2, P[1], r2);
    let (r4, carry) = adc(r4, 0, carry);
    let (r5, carry) = mac(r5, r2, P[3], carry);
    let (r6, carry2) = adc(r6, carry2, carry);

    let (r4, carry) = mac(r4, r3, P[1], r3);
    let (r5, carry) = adc(r5, 0, carry);
    let (r6, carry) = mac(r6, r3, P[3], carry);
    let (r7, r8) = adc(r7, carry2, carry);

    subtract_p_once([r4, r5, r6, r7, r8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(h: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    /// `p - 1`, `p - 2`, `2^255`, `2^256 - p` and values whose limbs sit at carry edges.
    fn edges() -> std::vec::Vec<[u8; 32]> {
        let mut edges = std::vec![
            [0u8; 32],
            hex("0000000000000000000000000000000000000000000000000000000000000001"),
            hex("0000000000000000000000000000000000000000000000000000000000000002"),
            hex("ffffffff00000001000000000000000000000000fffffffffffffffffffffffe"),
            hex("ffffffff00000001000000000000000000000000fffffffffffffffffffffffd"),
            hex("8000000000000000000000000000000000000000000000000000000000000000"),
            hex("00000000fffffffeffffffffffffffffffffffff000000000000000000000001"),
            hex("ffffffff00000000ffffffffffffffffffffffffffffffffffffffffffffffff"),
            hex("0000000000000000ffffffffffffffffffffffffffffffffffffffffffffffff"),
            hex("00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff"),
            hex("ffffffff00000000000000000000000000000000000000000000000000000000"),
            hex("0000000000000001000000000000000100000000000000010000000000000001"),
        ];
        for limb in 0..4 {
            let mut word = [0u8; 32];
            word[24 - 8 * limb..32 - 8 * limb].fill(0xff);
            edges.push(word);
        }
        edges
    }

    fn theirs(bytes: &[u8; 32]) -> Option<Theirs> {
        Option::from(Theirs::from_repr((*bytes).into()))
    }

    fn bytes_of(theirs: Theirs) -> [u8; 32] {
        theirs.to_repr().into()
    }

    /// Every operation on `a` and `b` (canonical big-endian values) agrees with p256's.
    fn check_pair(a: &[u8; 32], b: &[u8; 32]) {
        assert_eq!(
            Fe::from_bytes(a).is_some(),
            theirs(a).is_some(),
            "from_bytes"
        );
        let (Some(ta), Some(tb)) = (theirs(a), theirs(b)) else {
            return;
        };
        let (fa, fb) = (Fe::from_bytes(a).unwrap(), Fe::from_bytes(b).unwrap());
        assert_eq!(fa.to_bytes(), *a, "round trip");
        assert_eq!(fa.add(&fb).to_bytes(), bytes_of(ta + tb), "add");
        assert_eq!(fa.sub(&fb).to_bytes(), bytes_of(ta - tb), "sub");
        assert_eq!(fa.multiply(&fb).to_bytes(), bytes_of(ta * tb), "multiply");
        assert_eq!(fa.square().to_bytes(), bytes_of(ta.square()), "square");
        assert_eq!(fa.double().to_bytes(), bytes_of(ta.double()), "double");
        assert_eq!(fa.neg().to_bytes(), bytes_of(-ta), "neg");
        let two_inverse = Option::<Theirs>::from(Theirs::from_u64(2).invert()).unwrap();
        assert_eq!(fa.half().to_bytes(), bytes_of(ta * two_inverse), "half");
        let inverse: Option<Theirs> = ta.invert().into();
        assert_eq!(
            fa.invert_vartime().map(Fe::to_bytes),
            inverse.map(bytes_of),
            "invert"
        );
        assert_eq!(fa == fb, a == b, "equality");
    }

    #[test]
    fn agrees_with_p256_at_the_edges() {
        let edges = edges();
        for a in &edges {
            for b in &edges {
                check_pair(a, b);
            }
        }
        assert!(Fe::ONE == Fe::from_u64(1));
        assert!(Fe::ONE.multiply(&Fe::ONE) == Fe::ONE);
        assert!(Fe::ZERO.invert_vartime().is_none());
    }

    /// `from_bytes` refuses exactly the values p256 refuses: `p` and above.
    #[test]
    fn from_bytes_refuses_p_and_above() {
        let p = {
            let mut out = [0u8; 32];
            for (chunk, limb) in out.chunks_exact_mut(8).zip(P.iter().rev()) {
                chunk.copy_from_slice(&limb.to_be_bytes());
            }
            out
        };
        // p + 2^160 (byte 11 of p is zero), and p - 1.
        let mut above = p;
        above[11] = 1;
        let mut below = p;
        below[31] -= 1;
        for value in [p, above, [0xff; 32], below, [0; 32]] {
            assert_eq!(Fe::from_bytes(&value).is_some(), theirs(&value).is_some());
        }
        assert!(Fe::from_bytes(&p).is_none() && Fe::from_bytes(&below).is_some());
    }

    /// Constants read from hexadecimal hold their values, in either case of digit.
    #[test]
    fn hex_constants_are_their_values() {
        for text in [
            "0000000000000000000000000000000000000000000000000000000000000007",
            "ffffffff00000001000000000000000000000000fffffffffffffffffffffffe",
            "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFE",
            "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
        ] {
            assert_eq!(Fe::from_hex_vartime(text).to_bytes(), hex(text), "{text}");
        }
    }

    /// Limbs drawn from carry edges or at random, so sums and products meet every carry.
    fn element() -> impl Strategy<Value = [u8; 32]> {
        let limb = prop_oneof![
            Just(0u64),
            Just(1),
            Just(u64::MAX),
            Just(0xffff_ffff),
            Just(0xffff_ffff_0000_0000),
            Just(0xffff_ffff_0000_0001),
            Just(1 << 63),
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
        ];
        proptest::array::uniform4(limb).prop_map(|limbs| {
            let mut out = [0u8; 32];
            for (chunk, limb) in out.chunks_exact_mut(8).zip(limbs) {
                chunk.copy_from_slice(&limb.to_be_bytes());
            }
            out
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn agrees_with_p256_on_random_elements(a in element(), b in element()) {
            check_pair(&a, &b);
            prop_assert_eq!(Fe::from_bytes(&a).is_some(), theirs(&a).is_some());
        }
    }
}
