//! `jwt_alg`: the JWS algorithms as C numbers them, and jwt-core's `Algorithm` for each.

use jwt_core::Algorithm;

use crate::status::jwt_status;

/// A signature algorithm. The numbers are stable: new algorithms are added, never
/// renumbered. Every algorithm has its number in every build; keys of an algorithm whose
/// feature a build leaves out cannot be made (`JWT_UNSUPPORTED_ALGORITHM`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum jwt_alg {
    JWT_ALG_HS256 = 1,
    JWT_ALG_ES256 = 2,
    JWT_ALG_RS256 = 3,
    JWT_ALG_HS384 = 4,
    JWT_ALG_HS512 = 5,
    JWT_ALG_RS384 = 6,
    JWT_ALG_RS512 = 7,
    JWT_ALG_PS256 = 8,
    JWT_ALG_PS384 = 9,
    JWT_ALG_PS512 = 10,
    JWT_ALG_ES384 = 11,
    JWT_ALG_ES512 = 12,
    JWT_ALG_ES256K = 13,
    /// EdDSA with Ed25519 (RFC 8037).
    JWT_ALG_EDDSA = 14,
}

/// How many algorithms `jwt_alg` numbers.
pub(crate) const ALGORITHM_COUNT: usize = 14;

/// Each `jwt_alg` with its jwt-core algorithm: the one table both directions read.
const ALGORITHMS: [(jwt_alg, Algorithm); ALGORITHM_COUNT] = {
    use jwt_alg::*;
    [
        (JWT_ALG_HS256, Algorithm::Hs256),
        (JWT_ALG_ES256, Algorithm::Es256),
        (JWT_ALG_RS256, Algorithm::Rs256),
        (JWT_ALG_HS384, Algorithm::Hs384),
        (JWT_ALG_HS512, Algorithm::Hs512),
        (JWT_ALG_RS384, Algorithm::Rs384),
        (JWT_ALG_RS512, Algorithm::Rs512),
        (JWT_ALG_PS256, Algorithm::Ps256),
        (JWT_ALG_PS384, Algorithm::Ps384),
        (JWT_ALG_PS512, Algorithm::Ps512),
        (JWT_ALG_ES384, Algorithm::Es384),
        (JWT_ALG_ES512, Algorithm::Es512),
        (JWT_ALG_ES256K, Algorithm::Es256k),
        (JWT_ALG_EDDSA, Algorithm::EdDsa),
    ]
};

/// The `jwt_alg` of `alg`: `JWT_UNSUPPORTED_ALGORITHM` for an algorithm of a newer jwt-core
/// that this interface does not number yet.
pub(crate) fn c_alg(alg: Algorithm) -> Result<jwt_alg, jwt_status> {
    ALGORITHMS
        .into_iter()
        .find(|(_, known)| *known == alg)
        .map(|(c, _)| c)
        .ok_or(jwt_status::JWT_UNSUPPORTED_ALGORITHM)
}

/// The algorithm of the `jwt_alg` numbered `value` (C passes any number):
/// `JWT_INVALID_ARGUMENT` for a number that is no `jwt_alg`.
pub(crate) fn algorithm_of(value: u32) -> Result<Algorithm, jwt_status> {
    ALGORITHMS
        .into_iter()
        .find(|(c, _)| *c as u32 == value)
        .map(|(_, alg)| alg)
        .ok_or(jwt_status::JWT_INVALID_ARGUMENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_names_one_algorithm_both_ways() {
        for (c, alg) in ALGORITHMS {
            assert_eq!(c_alg(alg), Ok(c));
            assert_eq!(algorithm_of(c as u32), Ok(alg));
        }
        // Every algorithm jwt-core names has its number.
        for name in [
            "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512", "ES256K", "EdDSA",
        ] {
            let alg = Algorithm::from_name(name).unwrap();
            assert!(c_alg(alg).is_ok(), "{name}");
        }
        for value in [0, 15, u32::MAX] {
            assert_eq!(algorithm_of(value), Err(jwt_status::JWT_INVALID_ARGUMENT));
        }
    }
}
