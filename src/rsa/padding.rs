//! The two signature encodings of RSA JWS algorithms, checked on the encoded message `EM`
//! that the public-key operation recovered from a signature (as long as the modulus).
//!
//! Verification touches only public data, so nothing here needs constant time.

use sha2::Digest;
use sha2::digest::Output;

use super::RsaHash;

/// The longest modulus accepted, in bytes: the largest `EM`.
pub(super) const MAX_EM_LEN: usize = super::MAX_MODULUS_BITS / 8;

/// EMSA-PKCS1-v1_5 (RFC 8017 section 9.2): `EM` must be exactly
/// `00 01 FF..FF 00 || DigestInfo(H) || H(message)`, with the NULL parameter; the one
/// encoding is rebuilt and compared whole (no parsing, so no parser to fool).
pub(super) fn pkcs1v15_matches<H: RsaHash>(em: &[u8], message: &[u8]) -> bool {
    let digest = <H as Digest>::digest(message);
    let k = em.len();
    let Some(ff_end) = k.checked_sub(H::DIGEST_INFO.len() + digest.len() + 1) else {
        return false;
    };
    // At least 8 bytes of 0xFF (RFC 8017 section 9.2, step 3).
    if ff_end < 2 + 8 {
        return false;
    }
    let expected = [0x00, 0x01]
        .iter()
        .chain(core::iter::repeat_n(&0xFF, ff_end - 2))
        .chain(&[0x00])
        .chain(H::DIGEST_INFO)
        .chain(digest.iter());
    em.iter().eq(expected)
}

/// EMSA-PSS-VERIFY (RFC 8017 section 9.1.2) with MGF1 over the same hash and a salt as long
/// as the hash (RFC 7518 section 3.5): any other salt length is refused. `em` is the full
/// `k`-byte integer; `modulus_bits` its key's modulus length.
pub(super) fn pss_matches<H: RsaHash>(em: &[u8], modulus_bits: usize, message: &[u8]) -> bool {
    let h_len = <H as Digest>::output_size();
    let salt_len = h_len;
    // emBits = modBits - 1: the integer must fit in emBits, and EM is its last emLen bytes.
    let Some(em_bits) = modulus_bits.checked_sub(1) else {
        return false;
    };
    let em_len = em_bits.div_ceil(8);
    let Some(leading) = em.len().checked_sub(em_len) else {
        return false;
    };
    let (high, em) = em.split_at(leading);
    if high.iter().any(|&b| b != 0) {
        return false;
    }
    // Steps 3 to 6: room for H, the salt and the two fixed bytes; the trailer 0xBC; the
    // unused top bits of the first byte are zero.
    let Some(db_len) = em_len.checked_sub(h_len + 1) else {
        return false;
    };
    if em_len < h_len + salt_len + 2 || em.last() != Some(&0xBC) {
        return false;
    }
    let (masked_db, rest) = em.split_at(db_len);
    let Some(h) = rest.get(..h_len) else {
        return false;
    };
    let unused_bits = 8 * em_len - em_bits;
    let top_mask = 0xFF_u8.checked_shr(unused_bits as u32).unwrap_or(0);
    if masked_db.first().is_some_and(|&b| b & !top_mask != 0) {
        return false;
    }
    // Steps 7 to 9: DB = maskedDB xor MGF1(H, emLen - hLen - 1), top bits cleared.
    let mut db = [0u8; MAX_EM_LEN];
    let Some(db) = db.get_mut(..db_len) else {
        return false;
    };
    db.copy_from_slice(masked_db);
    mgf1_xor::<H>(h, db);
    if let Some(first) = db.first_mut() {
        *first &= top_mask;
    }
    // Steps 10 and 11: DB = 00..00 || 01 || salt, the salt exactly hLen bytes.
    let Some(ps_len) = db_len.checked_sub(salt_len + 1) else {
        return false;
    };
    let (ps, rest) = db.split_at(ps_len);
    let Some((&one, salt)) = rest.split_first() else {
        return false;
    };
    if ps.iter().any(|&b| b != 0) || one != 0x01 {
        return false;
    }
    // Steps 12 to 14: H' = Hash(00 x 8 || mHash || salt) must equal H.
    let m_hash = <H as Digest>::digest(message);
    let mut hash = <H as Digest>::new();
    Digest::update(&mut hash, [0u8; 8]);
    Digest::update(&mut hash, &m_hash);
    Digest::update(&mut hash, salt);
    Digest::finalize(hash).as_slice() == h
}

/// XORs MGF1 (RFC 8017 appendix B.2.1) of `seed` over `out`.
fn mgf1_xor<H: RsaHash>(seed: &[u8], out: &mut [u8]) {
    for (counter, chunk) in out.chunks_mut(<H as Digest>::output_size()).enumerate() {
        let mut hash = <H as Digest>::new();
        Digest::update(&mut hash, seed);
        Digest::update(&mut hash, (counter as u32).to_be_bytes());
        let block: Output<H> = Digest::finalize(hash);
        for (byte, mask) in chunk.iter_mut().zip(block.iter()) {
            *byte ^= mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Sha256;

    /// An encoded message of `bits` (as a `k`-byte integer) for `message` with `salt`,
    /// built as RFC 8017 section 9.1.1 describes.
    fn pss_encode(bits: usize, message: &[u8], salt: &[u8]) -> std::vec::Vec<u8> {
        let em_bits = bits - 1;
        let em_len = em_bits.div_ceil(8);
        let k = bits.div_ceil(8);
        let m_hash = Sha256::digest(message);
        let mut hash = Sha256::new();
        hash.update([0u8; 8]);
        hash.update(m_hash);
        hash.update(salt);
        let h = hash.finalize();
        let db_len = em_len - 33;
        let mut db = std::vec![0u8; db_len];
        db[db_len - salt.len() - 1] = 0x01;
        db[db_len - salt.len()..].copy_from_slice(salt);
        mgf1_xor::<Sha256>(&h, &mut db);
        db[0] &= 0xFF >> (8 * em_len - em_bits);
        let mut em = std::vec![0u8; k - em_len];
        em.extend_from_slice(&db);
        em.extend_from_slice(&h);
        em.push(0xBC);
        em
    }

    #[test]
    fn pss_accepts_its_encoding_for_every_modulus_length_modulo_8() {
        for bits in 2048..2056 {
            let em = pss_encode(bits, b"message", &[7u8; 32]);
            assert!(pss_matches::<Sha256>(&em, bits, b"message"), "{bits} bits");
            assert!(!pss_matches::<Sha256>(&em, bits, b"other"), "{bits} bits");
        }
    }

    #[test]
    fn pss_refuses_other_salt_lengths() {
        for salt_len in [0, 20, 31, 33, 64] {
            let em = pss_encode(2048, b"message", &std::vec![7u8; salt_len]);
            assert!(!pss_matches::<Sha256>(&em, 2048, b"message"), "{salt_len}");
        }
    }

    #[test]
    fn pss_refuses_a_wrong_trailer_or_set_top_bit() {
        let em = pss_encode(2048, b"m", &[1u8; 32]);
        let mut bad = em.clone();
        *bad.last_mut().unwrap() = 0xBD;
        assert!(!pss_matches::<Sha256>(&bad, 2048, b"m"));
        let mut bad = em.clone();
        bad[0] |= 0x80;
        assert!(!pss_matches::<Sha256>(&bad, 2048, b"m"));
        assert!(!pss_matches::<Sha256>(&em[..10], 2048, b"m"), "short EM");
    }
}
