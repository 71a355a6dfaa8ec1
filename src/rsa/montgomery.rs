//! The RSA public-key operation for the common keys (2048, 3072 and 4096 bits with
//! e = 65537) on fixed-size integers with Montgomery parameters computed once per key.
//!
//! Verification touches only public data (the key, the token), so it may run in variable
//! time: `s^65537 mod n` is sixteen squarings and one multiplication in Montgomery form,
//! whose result the padding module checks. Each product is a full-width
//! one (crypto-bigint's Karatsuba, whose squaring also shares the cross products) followed
//! by a separate Montgomery reduction, which costs fewer word products than crypto-bigint's
//! interleaved Montgomery multiplication. Keys of other sizes or exponents use the `rsa`
//! crate; both paths pass the same Wycheproof suites.
//!
//! Only on 64-bit targets: the fixed-size types cost much flash and stack on a Cortex-M,
//! where the `rsa` crate's heap-based path is the better
//! trade. There [`MontgomeryKey`] has no values and every key takes the `rsa` path.

#[cfg(target_pointer_width = "64")]
pub(crate) use wide::MontgomeryKey;

/// No fixed-size verification on this target.
#[cfg(not(target_pointer_width = "64"))]
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum MontgomeryKey {}

#[cfg(not(target_pointer_width = "64"))]
impl MontgomeryKey {
    pub(crate) fn new(_n: &[u8], _e: &[u8]) -> Option<Self> {
        None
    }

    pub(crate) fn encoded(&self, _signature: &[u8], _em: &mut [u8]) -> bool {
        match *self {}
    }
}

#[cfg(target_pointer_width = "64")]
mod wide {
    use alloc::boxed::Box;

    use crypto_bigint::modular::FixedMontyParams;
    use crypto_bigint::{Odd, U2048, U3072, U4096, Uint, WideWord, Word};

    const WORD_BYTES: usize = Word::BITS as usize / 8;

    /// A key's precomputed Montgomery parameters, for the sizes with a fixed-size integer type.
    #[derive(Clone, Debug, PartialEq)]
    pub(crate) enum MontgomeryKey {
        Bits2048(Box<FixedMontyParams<{ U2048::LIMBS }>>),
        Bits3072(Box<FixedMontyParams<{ U3072::LIMBS }>>),
        Bits4096(Box<FixedMontyParams<{ U4096::LIMBS }>>),
    }

    impl MontgomeryKey {
        /// Parameters for modulus `n` (big-endian, no leading zero) when the exponent is 65537
        /// and `n` fills one of the fixed sizes exactly; `None` otherwise.
        pub(crate) fn new(n: &[u8], e: &[u8]) -> Option<Self> {
            if e != [0x01, 0x00, 0x01] {
                return None;
            }
            Some(match n.len() * 8 {
                2048 => MontgomeryKey::Bits2048(Box::new(params(n)?)),
                3072 => MontgomeryKey::Bits3072(Box::new(params(n)?)),
                4096 => MontgomeryKey::Bits4096(Box::new(params(n)?)),
                _ => return None,
            })
        }

        /// Writes `signature^65537 mod n` to `em` as big-endian bytes (as long as the
        /// modulus, which `signature` and `em` must be); false when the signature is not
        /// below the modulus (RFC 8017 section 5.2.2).
        pub(crate) fn encoded(&self, signature: &[u8], em: &mut [u8]) -> bool {
            match self {
                MontgomeryKey::Bits2048(p) => encoded(p, signature, em),
                MontgomeryKey::Bits3072(p) => encoded(p, signature, em),
                MontgomeryKey::Bits4096(p) => encoded(p, signature, em),
            }
        }
    }

    fn params<const L: usize>(n: &[u8]) -> Option<FixedMontyParams<L>> {
        let n = Odd::new(from_be(n)?).into_option()?;
        Some(FixedMontyParams::new_vartime(n))
    }

    /// The integer of big-endian `bytes`, if it fits.
    fn from_be<const L: usize>(bytes: &[u8]) -> Option<Uint<L>> {
        if bytes.len() > L * WORD_BYTES {
            return None;
        }
        let mut words = [0 as Word; L];
        // A word at a time from the least significant end; the last chunk may be short.
        for (word, chunk) in words.iter_mut().zip(bytes.rchunks(WORD_BYTES)) {
            let mut be = [0u8; WORD_BYTES];
            for (slot, &byte) in be.iter_mut().rev().zip(chunk.iter().rev()) {
                *slot = byte;
            }
            *word = Word::from_be_bytes(be);
        }
        Some(Uint::from_words(words))
    }

    /// `t·R⁻¹ mod n` for a double-width `t = lo + hi·R` below `n·R` (the product of two
    /// numbers below `n`): Montgomery reduction one word at a time (Handbook of Applied
    /// Cryptography, 14.32). After a full-width product, it is the Montgomery product.
    pub(super) fn reduce<const L: usize>(
        (lo, hi): (Uint<L>, Uint<L>),
        params: &FixedMontyParams<L>,
    ) -> Uint<L> {
        let modulus = params.modulus().as_ref();
        let n_inv = params.mod_neg_inv().0;
        let mut t = [lo.to_words(), hi.to_words()];
        let t = t.as_flattened_mut();
        // A carry of weight `t[i + L + 1]`, owed by the step that wrote `t[i + L]`.
        let mut owed: Word = 0;
        for i in 0..L {
            let Some((head, tail)) = t.get_mut(i..).and_then(|w| w.split_at_mut_checked(L)) else {
                break;
            };
            // Adding u·n clears word i, so the sum is divisible by the word base.
            let u = head.first().map_or(0, |w| w.wrapping_mul(n_inv));
            let mut carry: Word = 0;
            for (t_j, &n_j) in head.iter_mut().zip(modulus.as_words()) {
                // At most (B - 1)² + 2(B - 1) = B² - 1: no overflow.
                let sum = WideWord::from(u) * WideWord::from(n_j)
                    + WideWord::from(*t_j)
                    + WideWord::from(carry);
                *t_j = sum as Word;
                carry = (sum >> Word::BITS) as Word;
            }
            if let Some(next) = tail.first_mut() {
                let sum = WideWord::from(*next) + WideWord::from(carry) + WideWord::from(owed);
                *next = sum as Word;
                owed = (sum >> Word::BITS) as Word;
            }
        }
        // t / B^L < 2n: one subtraction of n at most.
        let mut high = [0 as Word; L];
        for (out, &word) in high.iter_mut().zip(t.iter().skip(L)) {
            *out = word;
        }
        let result = Uint::from_words(high);
        if owed != 0 || result.cmp_vartime(modulus).is_ge() {
            result.wrapping_sub(modulus)
        } else {
            result
        }
    }

    fn encoded<const L: usize>(
        params: &FixedMontyParams<L>,
        signature: &[u8],
        em: &mut [u8],
    ) -> bool {
        if signature.len() != L * WORD_BYTES || em.len() != L * WORD_BYTES {
            return false;
        }
        let Some(s) = from_be::<L>(signature) else {
            return false;
        };
        if s.cmp_vartime(params.modulus().as_ref()).is_ge() {
            return false;
        }
        // s·R (the Montgomery form of s), squared sixteen times: s^65536·R. Multiplying that
        // by s itself, not s·R, divides by R once more, which leaves s^65537 mod n.
        let mut power = reduce(s.widening_mul(params.r2()), params);
        for _ in 0..16 {
            power = reduce(power.widening_square(), params);
        }
        let m = reduce(power.widening_mul(&s), params);
        for (chunk, word) in em.rchunks_mut(WORD_BYTES).zip(m.as_words()) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        true
    }
}

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    use super::MontgomeryKey;
    use super::wide::reduce;
    use alloc::vec;
    use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
    use crypto_bigint::{Odd, U2048};

    /// The separate reduction agrees with crypto-bigint's Montgomery multiplication, for
    /// products up to (n-1)² and moduli just below R (where the last carry is owed) or just
    /// above R/2.
    #[test]
    fn reduction_agrees_with_crypto_bigint_montgomery_multiplication() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut random = || {
            let words = core::array::from_fn(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            });
            U2048::from_words(words)
        };
        let top = U2048::ONE.shl_vartime(2047);
        for round in 0..40 {
            let n = match round % 3 {
                0 => U2048::MAX.wrapping_sub(&U2048::from_u64(2 * round + 2)),
                1 => top.wrapping_add(&U2048::from_u64(2 * round + 1)),
                _ => random().bitor(&top).bitor(&U2048::ONE),
            };
            let params = FixedMontyParams::new_vartime(Odd::new(n).unwrap());
            let below_n = |x: U2048| x.rem_vartime(params.modulus().as_nz_ref());
            let n_minus_1 = n.wrapping_sub(&U2048::ONE);
            for (a, b) in [
                (n_minus_1, n_minus_1),
                (below_n(random()), below_n(random())),
                (below_n(random()), n_minus_1),
                (U2048::ZERO, below_n(random())),
            ] {
                let theirs = FixedMontyForm::from_montgomery(a, &params)
                    .mul(&FixedMontyForm::from_montgomery(b, &params));
                assert_eq!(reduce(a.widening_mul(&b), &params), *theirs.as_montgomery());
                let square = FixedMontyForm::from_montgomery(a, &params).square();
                assert_eq!(
                    reduce(a.widening_square(), &params),
                    *square.as_montgomery()
                );
            }
        }
    }

    const E: [u8; 3] = [0x01, 0x00, 0x01];

    #[test]
    fn only_full_size_moduli_with_e_65537_take_the_fixed_size_path() {
        for bytes in [256, 384, 512] {
            let mut n = vec![0xC3; bytes];
            n[bytes - 1] = 0x01; // odd
            assert!(MontgomeryKey::new(&n, &E).is_some(), "{bytes} bytes");
            assert!(MontgomeryKey::new(&n, &[0x03]).is_none(), "e = 3");
            assert!(
                MontgomeryKey::new(&n, &[0x00, 0x01, 0x00, 0x01]).is_none(),
                "non-minimal e"
            );
            let mut even = n.clone();
            even[bytes - 1] = 0x02;
            assert!(MontgomeryKey::new(&even, &E).is_none(), "even modulus");
        }
        for bytes in [255, 257, 320, 1024] {
            let n = vec![0xC3; bytes];
            assert!(MontgomeryKey::new(&n, &E).is_none(), "{bytes} bytes");
        }
    }

    #[test]
    fn signatures_at_or_above_the_modulus_are_refused() {
        let mut n = vec![0xC3; 256];
        n[255] = 0x01;
        let key = MontgomeryKey::new(&n, &E).unwrap();
        let mut em = [0u8; 256];
        assert!(!key.encoded(&n, &mut em));
        assert!(!key.encoded(&[0xFF; 256], &mut em));
        assert!(key.encoded(&[0x00; 256], &mut em), "zero is below n");
        assert_eq!(em, [0u8; 256]);
        assert!(!key.encoded(&[0x00; 255], &mut em), "short signature");
    }
}
