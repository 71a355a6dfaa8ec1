//! [`Claim`], the names an [`Error`](crate::Error) can point at, and [`ClaimSet`], a set of
//! registered claims.

use core::fmt;

/// A registered claim (RFC 7519 section 4.1) or header parameter named in an
/// [`Error`](crate::Error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Claim {
    /// `exp`, expiration time.
    Exp,
    /// `nbf`, not before.
    Nbf,
    /// `iat`, issued at.
    Iat,
    /// `iss`, issuer.
    Iss,
    /// `sub`, subject.
    Sub,
    /// `aud`, audience.
    Aud,
    /// `jti`, JWT ID.
    Jti,
    /// `client_id`, the OAuth 2.0 client the token was issued to (RFC 8693 section 4.3,
    /// required in RFC 9068 access tokens).
    ClientId,
    /// `nonce`, the value an OpenID Connect client sent in its authentication request.
    Nonce,
    /// `azp`, the OpenID Connect authorized party.
    Azp,
    /// `auth_time`, when the OpenID Connect end user authenticated.
    AuthTime,
    /// `cnf`, the key the token is bound to (RFC 7800): a token that carries it is accepted
    /// only once the presenter has proven possession of that key (see
    /// [`Validation::confirmed`](crate::Validation::confirmed)).
    Cnf,
    /// The `typ` header parameter.
    Typ,
}

impl Claim {
    /// The claims of a claims set (every variant but the header's [`Typ`](Claim::Typ)), in
    /// the order of the enum, which is the order a missing one is reported in.
    pub(crate) const REGISTERED: [Claim; 12] = [
        Claim::Exp,
        Claim::Nbf,
        Claim::Iat,
        Claim::Iss,
        Claim::Sub,
        Claim::Aud,
        Claim::Jti,
        Claim::ClientId,
        Claim::Nonce,
        Claim::Azp,
        Claim::AuthTime,
        Claim::Cnf,
    ];

    /// The claim's JSON member name, e.g. `"exp"`.
    ///
    /// ```
    /// assert_eq!(jwt_core::Claim::Aud.name(), "aud");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Claim::Exp => "exp",
            Claim::Nbf => "nbf",
            Claim::Iat => "iat",
            Claim::Iss => "iss",
            Claim::Sub => "sub",
            Claim::Aud => "aud",
            Claim::Jti => "jti",
            Claim::ClientId => "client_id",
            Claim::Nonce => "nonce",
            Claim::Azp => "azp",
            Claim::AuthTime => "auth_time",
            Claim::Cnf => "cnf",
            Claim::Typ => "typ",
        }
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of registered claims (the header's `typ` is never in one): a bit each, at the
/// claim's position in [`Claim`], so the lowest bit of a set is its first claim in the order
/// of [`Claim::REGISTERED`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ClaimSet(u16);

// `Claim::REGISTERED[i]` has bit `i`.
#[expect(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of bounds fails the build"
)]
const _: () = {
    let mut i = 0;
    while i < Claim::REGISTERED.len() {
        assert!(Claim::REGISTERED[i] as usize == i);
        i += 1;
    }
};

impl ClaimSet {
    /// The empty set.
    pub(crate) const EMPTY: ClaimSet = ClaimSet(0);

    /// The bit of `claim`: its position, masked to the registered claims (no branch).
    const fn bit(claim: Claim) -> u16 {
        (1 << claim as u16) & ((1 << Claim::REGISTERED.len()) - 1)
    }

    /// The set with `claim` added (no change for [`Claim::Typ`]).
    pub(crate) const fn with(self, claim: Claim) -> Self {
        ClaimSet(self.0 | Self::bit(claim))
    }

    /// The set without `claim`.
    pub(crate) const fn without(self, claim: Claim) -> Self {
        ClaimSet(self.0 & !Self::bit(claim))
    }

    /// Whether `claim` is in the set (never [`Claim::Typ`]).
    pub(crate) const fn contains(self, claim: Claim) -> bool {
        self.0 & Self::bit(claim) != 0
    }

    /// Adds `claim` (nothing for [`Claim::Typ`]).
    pub(crate) fn insert(&mut self, claim: Claim) {
        *self = self.with(claim);
    }

    /// The first claim of this set, in the order of [`Claim::REGISTERED`], that `present`
    /// lacks.
    pub(crate) fn first_missing(self, present: ClaimSet) -> Option<Claim> {
        let missing = self.0 & !present.0;
        // With none missing, the 16 trailing zeros index past the end.
        Claim::REGISTERED
            .get(missing.trailing_zeros() as usize)
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_missing_claim_is_the_first_in_enum_order() {
        // Every subset of the registered claims, as required against every other as present.
        let all = Claim::REGISTERED.len();
        for required_bits in 0u16..1 << all {
            let set_of = |bits: u16| {
                Claim::REGISTERED
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| bits >> i & 1 == 1)
                    .fold(ClaimSet::EMPTY, |set, (_, &c)| set.with(c))
            };
            let required = set_of(required_bits);
            for present_bits in [0, 0b101, 0b1_0000_0001, required_bits, !required_bits] {
                let present = set_of(present_bits & ((1 << all) - 1));
                let expected = Claim::REGISTERED
                    .iter()
                    .enumerate()
                    .find(|&(i, _)| required_bits >> i & 1 == 1 && present_bits >> i & 1 == 0)
                    .map(|(_, &c)| c);
                assert_eq!(required.first_missing(present), expected);
            }
        }
    }

    #[test]
    fn typ_is_never_in_a_set() {
        assert_eq!(ClaimSet::EMPTY.with(Claim::Typ), ClaimSet::EMPTY);
        let mut set = ClaimSet::EMPTY;
        set.insert(Claim::Typ);
        assert_eq!(set.first_missing(ClaimSet::EMPTY), None);
        assert_eq!(
            ClaimSet::EMPTY.with(Claim::Aud).without(Claim::Aud),
            ClaimSet::EMPTY
        );
    }
}
