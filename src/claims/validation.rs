//! The validation policy for registered claims and the `typ` header (RFC 7519 section 4.1,
//! RFC 8725 sections 3.8-3.12).

use super::confirmation::{self, Confirmation};
use super::{Claim, ClaimSet, RegisteredClaims};
use crate::error::Error;
use crate::header::media_type_eq;
use crate::json::JsonStr;

/// Leeway applied to `exp`, `nbf` and `iat` unless configured otherwise: 60 seconds.
pub const DEFAULT_LEEWAY: u64 = 60;

/// Largest leeway a [`Validation`] applies: 10 minutes. Leeway absorbs clock skew, which is
/// seconds or minutes; a larger value given to [`Validation::leeway`] is clamped to this, so
/// no setting can keep an expired token alive for years.
pub const MAX_LEEWAY: u64 = 600;

/// Longest token a default [`Validation`] accepts: 16 KiB. Raise it (up to
/// [`MAX_TOKEN_LEN`](crate::MAX_TOKEN_LEN)) with [`Validation::max_token_len`].
pub const DEFAULT_MAX_TOKEN_LEN: usize = 16 * 1024;

/// What a token must satisfy besides its signature. Secure by default, built with `const`
/// methods so a policy can live in a `static`.
///
/// The default ([`Validation::new`]) requires `exp`, checks `nbf` and `iat` when present,
/// allows [`DEFAULT_LEEWAY`] seconds of clock skew, and refuses any token carrying an `aud`
/// claim, since no audience is configured (RFC 7519 section 4.1.3).
///
/// Rules, with `now` the caller's clock in Unix seconds and `leeway` the configured leeway:
/// - `exp`: valid while `now < exp + leeway`; `now == exp` is expired with zero leeway.
/// - `nbf`: valid once `now + leeway >= nbf`.
/// - `iat`: refused when `iat > now + leeway`, and, with [`max_age`](Self::max_age), when
///   `now > iat + max_age + leeway`.
/// - NumericDates are non-negative JSON numbers in any spelling (`1.7e9` included),
///   compared exactly; any other type, including `null`, is [`Error::InvalidClaim`].
/// - `iss`, `sub` and `aud` compare exactly, case-sensitively, after JSON unescaping.
/// - `typ` compares ASCII case-insensitively with the `application/` prefix optional.
/// - A token bound to a key (a `cnf` claim, RFC 7800) is refused with
///   [`Error::SenderConstrained`] unless [`confirmed`](Self::confirmed) names the key the
///   presenter proved it holds: such a token is never a bearer token.
///
/// ```
/// use jwt_core::{Claim, Validation};
/// static POLICY: Validation = Validation::new()
///     .issuers(&["https://issuer.example"])
///     .audiences(&["https://api.example"])
///     .require(Claim::Sub)
///     .leeway(30);
/// let claims = br#"{"iss":"https:\/\/issuer.example","aud":["https://api.example"],
///                   "sub":"alice","exp":1700000100}"#;
/// assert_eq!(POLICY.validate(claims, 1700000000), Ok(()));
/// assert_eq!(POLICY.validate(claims, 1700000130), Err(jwt_core::Error::Expired));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Validation<'a> {
    leeway: u64,
    issuers: &'a [&'a str],
    audiences: &'a [&'a str],
    subject: Option<&'a str>,
    typ: Option<&'a str>,
    required: ClaimSet,
    /// Whether the header's `typ` is required (a header parameter, not in `required`).
    require_typ: bool,
    max_age: Option<u64>,
    pub(crate) max_token_len: usize,
    /// OpenID Connect ID token mode: this client's `client_id`.
    id_token_client: Option<&'a str>,
    nonce: Option<&'a str>,
    max_auth_age: Option<u64>,
    /// The key whose possession the caller verified for this request, if any.
    confirmed: Option<Confirmation<'a>>,
}

impl<'a> Validation<'a> {
    /// The default policy: `exp` required, [`DEFAULT_LEEWAY`], nothing else configured.
    pub const fn new() -> Self {
        Validation {
            leeway: DEFAULT_LEEWAY,
            issuers: &[],
            audiences: &[],
            subject: None,
            typ: None,
            required: ClaimSet::EMPTY.with(Claim::Exp),
            require_typ: false,
            max_age: None,
            id_token_client: None,
            nonce: None,
            max_auth_age: None,
            confirmed: None,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
        }
    }

    /// The RFC 9068 profile for JWT access tokens (checklist V-AT1..V-AT6): the `typ` header
    /// `at+jwt` (or `application/at+jwt`, any case) and nothing else; `iss` one of `issuers`;
    /// `aud` containing one of `audiences`; `exp`, `iat`, `sub`, `jti` and `client_id`
    /// present. Scopes are each resource's own requirement: check them on the verified claims
    /// with [`Scopes`](crate::scope::Scopes). Further builder calls refine the profile.
    ///
    /// ```
    /// use jwt_core::{Error, Validation};
    /// static ACCESS: Validation = Validation::access_token(
    ///     &["https://idp.example"],
    ///     &["https://api.example"],
    /// );
    /// let claims = br#"{"iss":"https://idp.example","aud":"https://api.example","sub":"alice",
    ///     "client_id":"web","jti":"a1","iat":1700000000,"exp":1700000300}"#;
    /// assert_eq!(ACCESS.validate(claims, 1700000100), Ok(()));
    /// let no_client = br#"{"iss":"https://idp.example","aud":"https://api.example","sub":"alice",
    ///     "jti":"a1","iat":1700000000,"exp":1700000300}"#;
    /// assert_eq!(
    ///     ACCESS.validate(no_client, 1700000100),
    ///     Err(Error::MissingClaim(jwt_core::Claim::ClientId))
    /// );
    /// ```
    pub const fn access_token(issuers: &'a [&'a str], audiences: &'a [&'a str]) -> Self {
        Validation::new()
            .issuers(issuers)
            .audiences(audiences)
            .typ("at+jwt")
            .require(Claim::Iss)
            .require(Claim::Aud)
            .require(Claim::Iat)
            .require(Claim::Sub)
            .require(Claim::Jti)
            .require(Claim::ClientId)
    }

    /// The OpenID Connect ID token rules (Core 1.0 section 3.1.3.7, checklist V-O1..V-O6)
    /// for the client `client_id`: `iss` one of `issuers`; `sub`, `aud`, `exp` and `iat`
    /// present; `sub` at most 255 ASCII characters; `aud` contains `client_id`, and any
    /// other audience it names must be listed with [`audiences`](Self::audiences) (audiences
    /// the client trusts); when `aud` names several audiences, `azp` is required; `azp`, when
    /// present, equals `client_id`. Add [`nonce`](Self::nonce) when the authentication
    /// request sent one, and [`max_auth_age`](Self::max_auth_age) when it sent `max_age`.
    /// A token whose header `typ` is `at+jwt` is an access token (RFC 9068), never an ID
    /// token, and is refused with [`Error::InvalidType`] (RFC 8725 section 3.11).
    ///
    /// ```
    /// use jwt_core::{Error, Validation};
    /// let policy = Validation::id_token(&["https://op.example"], "s6BhdRkqt3").nonce("n-0S6_WzA2Mj");
    /// let id_token = br#"{"iss":"https://op.example","sub":"24400320","aud":"s6BhdRkqt3",
    ///     "nonce":"n-0S6_WzA2Mj","exp":1311281970,"iat":1311280970}"#;
    /// assert_eq!(policy.validate(id_token, 1311281000), Ok(()));
    /// let replayed = br#"{"iss":"https://op.example","sub":"24400320","aud":"s6BhdRkqt3",
    ///     "nonce":"other","exp":1311281970,"iat":1311280970}"#;
    /// assert_eq!(policy.validate(replayed, 1311281000), Err(Error::InvalidNonce));
    /// ```
    pub const fn id_token(issuers: &'a [&'a str], client_id: &'a str) -> Self {
        let mut policy = Validation::new()
            .issuers(issuers)
            .require(Claim::Iss)
            .require(Claim::Sub)
            .require(Claim::Aud)
            .require(Claim::Iat);
        policy.id_token_client = Some(client_id);
        policy
    }

    /// Requires a `nonce` claim equal to `nonce` (OpenID Connect: the value the client sent
    /// in its authentication request, V-O6).
    ///
    /// ```
    /// let v = jwt_core::Validation::new().nonce("abc");
    /// assert_eq!(v.validate(br#"{"exp":9,"nonce":"abc"}"#, 0), Ok(()));
    /// assert_eq!(v.validate(br#"{"exp":9}"#, 0),
    ///            Err(jwt_core::Error::MissingClaim(jwt_core::Claim::Nonce)));
    /// ```
    pub const fn nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self.required = self.required.with(Claim::Nonce);
        self
    }

    /// Requires `auth_time` and refuses authentications more than `seconds` old (plus
    /// leeway): OpenID Connect's `max_age` request parameter (V-O6).
    ///
    /// ```
    /// let v = jwt_core::Validation::new().max_auth_age(600).leeway(0);
    /// assert_eq!(v.validate(br#"{"exp":9999,"auth_time":1000}"#, 1600), Ok(()));
    /// assert_eq!(v.validate(br#"{"exp":9999,"auth_time":1000}"#, 1601),
    ///            Err(jwt_core::Error::AuthenticationTooOld));
    /// ```
    pub const fn max_auth_age(mut self, seconds: u64) -> Self {
        self.max_auth_age = Some(seconds);
        self.required = self.required.with(Claim::AuthTime);
        self
    }

    /// Accepts a token bound to the key `confirmed` names, and requires that binding: the
    /// caller verified that the presenter holds this key (it checked the request's DPoP proof,
    /// RFC 9449, or its TLS client certificate, RFC 8705), and the token's `cnf` claim must
    /// name that key and nothing else. `cnf` becomes required, so a bearer token presented
    /// with a proof is refused too (RFC 9449 section 7.2).
    ///
    /// Without this setting every token with a `cnf` claim is refused with
    /// [`Error::SenderConstrained`].
    ///
    /// ```
    /// use jwt_core::{Claim, Confirmation, Error, Validation};
    /// let certificate = "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2";
    /// let mtls = Validation::new().confirmed(Confirmation::CertificateThumbprint(certificate));
    /// let bound = br#"{"exp":9,"cnf":{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}"#;
    /// assert_eq!(mtls.validate(bound, 0), Ok(()));
    /// let other = br#"{"exp":9,"cnf":{"x5t#S256":"A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0"}}"#;
    /// assert_eq!(mtls.validate(other, 0), Err(Error::SenderConstrained));
    /// assert_eq!(mtls.validate(br#"{"exp":9}"#, 0), Err(Error::MissingClaim(Claim::Cnf)));
    /// ```
    pub const fn confirmed(mut self, confirmed: Confirmation<'a>) -> Self {
        self.confirmed = Some(confirmed);
        self.required = self.required.with(Claim::Cnf);
        self
    }

    /// The request came over a mutually authenticated TLS connection whose client
    /// certificate has this thumbprint ([`Thumbprint::of_certificate`](crate::Thumbprint::of_certificate)):
    /// a token bound to a certificate (`cnf` with `x5t#S256`) must be bound to this one and to
    /// nothing else, and a token without `cnf` stays a bearer token, as it does over any
    /// connection (RFC 8705 section 3). A DPoP proof's key is never this optional: use
    /// [`confirmed`](Self::confirmed) for it.
    ///
    /// ```
    /// use jwt_core::{Error, Validation};
    /// let certificate = "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2";
    /// let policy = Validation::new().client_certificate(certificate);
    /// let bound = br#"{"exp":9,"cnf":{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}"#;
    /// assert_eq!(policy.validate(bound, 0), Ok(()));
    /// assert_eq!(policy.validate(br#"{"exp":9}"#, 0), Ok(()));
    /// let other = br#"{"exp":9,"cnf":{"x5t#S256":"A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0"}}"#;
    /// assert_eq!(policy.validate(other, 0), Err(Error::SenderConstrained));
    /// let dpop = br#"{"exp":9,"cnf":{"jkt":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}"#;
    /// assert_eq!(policy.validate(dpop, 0), Err(Error::SenderConstrained));
    /// ```
    pub const fn client_certificate(mut self, thumbprint: &'a str) -> Self {
        self.confirmed = Some(Confirmation::CertificateThumbprint(thumbprint));
        self
    }

    /// Seconds of clock skew tolerated for `exp`, `nbf` and `iat`, at most [`MAX_LEEWAY`]:
    /// a larger value is clamped to it.
    ///
    /// ```
    /// use jwt_core::{Error, Validation};
    /// let strict = Validation::new().leeway(0);
    /// assert_eq!(strict.validate(br#"{"exp":100}"#, 100), Err(Error::Expired));
    /// let lax = Validation::new().leeway(u64::MAX); // clamped to ten minutes
    /// assert_eq!(lax.validate(br#"{"exp":100}"#, 699), Ok(()));
    /// assert_eq!(lax.validate(br#"{"exp":100}"#, 700), Err(Error::Expired));
    /// ```
    pub const fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = if seconds > MAX_LEEWAY {
            MAX_LEEWAY
        } else {
            seconds
        };
        self
    }

    /// Accepts tokens whose `iss` equals one of `issuers`; `iss` becomes required.
    ///
    /// ```
    /// let v = jwt_core::Validation::new().issuers(&["a", "b"]);
    /// assert_eq!(v.validate(br#"{"exp":9,"iss":"b"}"#, 0), Ok(()));
    /// assert_eq!(v.validate(br#"{"exp":9,"iss":"c"}"#, 0), Err(jwt_core::Error::InvalidIssuer));
    /// ```
    pub const fn issuers(mut self, issuers: &'a [&'a str]) -> Self {
        self.issuers = issuers;
        self
    }

    /// Accepts tokens whose `aud` (a string or an array) contains one of `audiences`; `aud`
    /// becomes required.
    ///
    /// ```
    /// let v = jwt_core::Validation::new().audiences(&["api"]);
    /// assert_eq!(v.validate(br#"{"exp":9,"aud":["web","api"]}"#, 0), Ok(()));
    /// assert_eq!(v.validate(br#"{"exp":9,"aud":"web"}"#, 0), Err(jwt_core::Error::InvalidAudience));
    /// ```
    pub const fn audiences(mut self, audiences: &'a [&'a str]) -> Self {
        self.audiences = audiences;
        self
    }

    /// Accepts only tokens whose `sub` equals `subject`; `sub` becomes required.
    ///
    /// ```
    /// let v = jwt_core::Validation::new().subject("alice");
    /// assert_eq!(v.validate(br#"{"exp":9,"sub":"bob"}"#, 0), Err(jwt_core::Error::InvalidSubject));
    /// ```
    pub const fn subject(mut self, subject: &'a str) -> Self {
        self.subject = Some(subject);
        self
    }

    /// Requires the header's `typ` to be `typ` (e.g. `at+jwt`, RFC 9068), compared ASCII
    /// case-insensitively with the `application/` prefix optional (RFC 8725 section 3.11).
    ///
    /// ```
    /// let v = jwt_core::Validation::new().typ("at+jwt");
    /// # let _ = v;
    /// ```
    pub const fn typ(mut self, typ: &'a str) -> Self {
        self.typ = Some(typ);
        self.require_typ = true;
        self
    }

    /// Makes `claim` required (V-C10): a token without it fails with
    /// [`Error::MissingClaim`]. [`Claim::Typ`] requires the `typ` header.
    ///
    /// ```
    /// use jwt_core::{Claim, Error, Validation};
    /// let v = Validation::new().require(Claim::Jti);
    /// assert_eq!(v.validate(br#"{"exp":9}"#, 0), Err(Error::MissingClaim(Claim::Jti)));
    /// ```
    pub const fn require(mut self, claim: Claim) -> Self {
        self.required = self.required.with(claim);
        self.require_typ |= matches!(claim, Claim::Typ);
        self
    }

    /// Accepts tokens without `exp` (it is still checked when present). Use with care: such
    /// tokens never expire.
    ///
    /// ```
    /// let v = jwt_core::Validation::new().allow_missing_exp();
    /// assert_eq!(v.validate(b"{}", 0), Ok(()));
    /// ```
    pub const fn allow_missing_exp(mut self) -> Self {
        self.required = self.required.without(Claim::Exp);
        self
    }

    /// Refuses tokens issued more than `seconds` ago (plus leeway); `iat` becomes required.
    ///
    /// ```
    /// let v = jwt_core::Validation::new().max_age(300).leeway(0);
    /// assert_eq!(v.validate(br#"{"exp":9999,"iat":1000}"#, 1300), Ok(()));
    /// assert_eq!(v.validate(br#"{"exp":9999,"iat":1000}"#, 1301),
    ///            Err(jwt_core::Error::InvalidIssuedAt));
    /// ```
    pub const fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self.required = self.required.with(Claim::Iat);
        self
    }

    /// Longest token accepted, at most [`MAX_TOKEN_LEN`](crate::MAX_TOKEN_LEN)
    /// (default [`DEFAULT_MAX_TOKEN_LEN`]).
    pub const fn max_token_len(mut self, len: usize) -> Self {
        self.max_token_len = len;
        self
    }

    /// Validates the registered claims of a claims set (JSON text) at `now` (Unix seconds).
    /// The `typ` rules apply to the header and are checked by [`verify`](crate::verify).
    ///
    /// # Errors
    /// [`Error::Json`] for a malformed claims set; [`Error::InvalidClaim`],
    /// [`Error::MissingClaim`], [`Error::Expired`], [`Error::NotYetValid`],
    /// [`Error::InvalidIssuedAt`], [`Error::InvalidIssuer`], [`Error::InvalidAudience`] or
    /// [`Error::InvalidSubject`], [`Error::InvalidNonce`], [`Error::AuthenticationTooOld`] or
    /// [`Error::SenderConstrained`] when a rule fails.
    ///
    /// ```
    /// let v = jwt_core::Validation::new();
    /// assert_eq!(v.validate(br#"{"exp":1700000000}"#, 1699999999), Ok(()));
    /// assert_eq!(v.validate(br#"{"exp":"1700000000"}"#, 0),
    ///            Err(jwt_core::Error::InvalidClaim(jwt_core::Claim::Exp)));
    /// ```
    pub fn validate(&self, claims_json: &[u8], now: u64) -> Result<(), Error> {
        self.check_claims(&RegisteredClaims::parse(claims_json)?, now)
    }

    /// Checks the header's `typ` against the policy.
    pub(crate) fn check_typ(&self, typ: Option<JsonStr<'_>>) -> Result<(), Error> {
        let Some(typ) = typ else {
            return match self.require_typ {
                true => Err(Error::MissingClaim(Claim::Typ)),
                false => Ok(()),
            };
        };
        // The configured type must match; without one, an ID-token policy refuses the
        // access-token type (one comparison either way).
        let (media_type, must_match) = match (self.typ, self.id_token_client) {
            (Some(expected), _) => (expected, true),
            (None, Some(_)) => ("at+jwt", false),
            (None, None) => return Ok(()),
        };
        if media_type_eq(typ, media_type) == must_match {
            Ok(())
        } else {
            Err(Error::InvalidType)
        }
    }

    pub(crate) fn check_claims(
        &self,
        claims: &RegisteredClaims<'_>,
        now: u64,
    ) -> Result<(), Error> {
        let mut required = self.required;
        if !self.issuers.is_empty() {
            required.insert(Claim::Iss);
        }
        if !self.audiences.is_empty() {
            required.insert(Claim::Aud);
        }
        if self.subject.is_some() {
            required.insert(Claim::Sub);
        }
        if let Some(claim) = required.first_missing(claims.present) {
            return Err(Error::MissingClaim(claim));
        }
        if let Some(cnf) = claims.cnf {
            confirmation::check(cnf, self.confirmed)?;
        }

        let leeway = self.leeway;
        if let Some(exp) = claims.exp {
            if now >= exp.ceil().saturating_add(leeway) {
                return Err(Error::Expired);
            }
        }
        if let Some(nbf) = claims.nbf {
            if now.saturating_add(leeway) < nbf.ceil() {
                return Err(Error::NotYetValid);
            }
        }
        if let Some(iat) = claims.iat {
            if iat.ceil() > now.saturating_add(leeway) {
                return Err(Error::InvalidIssuedAt);
            }
            if let Some(max_age) = self.max_age {
                if now > iat.floor().saturating_add(max_age).saturating_add(leeway) {
                    return Err(Error::InvalidIssuedAt);
                }
            }
        }
        if let Some(iss) = claims.iss {
            if !self.issuers.is_empty() && !self.issuers.iter().any(|i| iss == *i) {
                return Err(Error::InvalidIssuer);
            }
        }
        if let Some(client_id) = self.id_token_client {
            self.check_id_token(claims, client_id)?;
        } else if let Some(aud) = claims.aud {
            // RFC 7519 4.1.3: an `aud` that names nobody we are is refused, also when no
            // audience is configured.
            if !aud.contains_any(self.audiences) {
                return Err(Error::InvalidAudience);
            }
        }
        if let (Some(expected), Some(nonce)) = (self.nonce, claims.nonce) {
            if nonce != expected {
                return Err(Error::InvalidNonce);
            }
        }
        if let (Some(max), Some(auth_time)) = (self.max_auth_age, claims.auth_time) {
            if now > auth_time.floor().saturating_add(max).saturating_add(leeway) {
                return Err(Error::AuthenticationTooOld);
            }
        }
        if let (Some(expected), Some(sub)) = (self.subject, claims.sub) {
            if sub != expected {
                return Err(Error::InvalidSubject);
            }
        }
        Ok(())
    }
}

impl Validation<'_> {
    /// OpenID Connect Core 1.0 section 3.1.3.7 steps 3 to 5, and the `sub` format of
    /// section 2 (V-O1, V-O3, V-O4).
    fn check_id_token(&self, claims: &RegisteredClaims<'_>, client_id: &str) -> Result<(), Error> {
        if let Some(sub) = claims.sub {
            let mut len = 0usize;
            // ASCII characters are single bytes, and any other makes a byte above 0x7F.
            if !sub.bytes().all(|b| {
                len += 1;
                b.is_ascii()
            }) || len > 255
            {
                return Err(Error::InvalidSubject);
            }
        }
        let Some(aud) = claims.aud else {
            return Err(Error::MissingClaim(Claim::Aud));
        };
        // One pass: the client is named, every other audience is trusted, and how many.
        let (mut names_client, mut all_trusted, mut count) = (false, true, 0usize);
        aud.for_each(|aud| {
            let is_client = aud == client_id;
            names_client |= is_client;
            all_trusted &= is_client || self.audiences.iter().any(|a| aud == *a);
            count += 1;
        });
        if !names_client || !all_trusted {
            return Err(Error::InvalidAudience);
        }
        match claims.azp {
            Some(azp) if azp != client_id => Err(Error::InvalidAuthorizedParty),
            None if count > 1 => Err(Error::InvalidAuthorizedParty),
            _ => Ok(()),
        }
    }
}

impl Default for Validation<'_> {
    fn default() -> Self {
        Self::new()
    }
}
