//! Why a request is refused, and the RFC 6750 / RFC 9449 answer for it.

use http::{HeaderName, HeaderValue, Response, StatusCode, header};
use jwt_core::Algorithm;
use jwt_core::bearer::BearerError;
use jwt_core::dpop::{Policy, ProofError};

/// Why a request's token was not accepted. Each maps to one HTTP answer
/// ([`status`](Self::status), [`response`](Self::response)); the token itself is never part
/// of it.
///
/// ```
/// use jwt_core_tower::Refusal;
/// assert_eq!(Refusal::Token(jwt_core::Error::Expired).status(), 401);
/// assert_eq!(Refusal::InsufficientScope.status(), 403);
/// assert_eq!(Refusal::KeysUnavailable.status(), 503);
/// ```
///
/// A request with `Authorization: DPoP` (RFC 9449) can also be refused for its proof:
///
/// ```
/// use jwt_core::dpop::ProofError;
/// use jwt_core_tower::Refusal;
/// assert_eq!(Refusal::DpopProof(ProofError::Uri).code(), Some("invalid_dpop_proof"));
/// assert_eq!(Refusal::DpopProof(ProofError::Nonce).code(), Some("use_dpop_nonce"));
/// assert_eq!(Refusal::DpopReplayed.status(), 401);
/// assert_eq!(Refusal::ReplayCheckUnavailable.status(), 503);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// No `Authorization: Bearer` (or `DPoP`) credentials.
    NoCredentials,
    /// A malformed `Authorization` header, two of them, or two `DPoP` proof headers.
    InvalidRequest,
    /// The JWT failed verification; [`jwt_core::Error::SenderConstrained`] for one bound to
    /// a key (`cnf`) presented as a bearer token or with another key's proof,
    /// [`jwt_core::Error::MissingClaim`]`(Cnf)` for a bearer token presented with a DPoP
    /// proof.
    Token(jwt_core::Error),
    /// The JWT's `iss` is none of the configured providers, or no provider is configured to
    /// introspect this opaque token (see
    /// [`Provider::opaque_token_prefix`](crate::Provider::opaque_token_prefix)).
    UnknownIssuer,
    /// An opaque token the provider's introspection endpoint says is not active (revoked,
    /// expired, unknown), or whose answer fails the provider's rules: also one bound to a
    /// key (`cnf`) presented without the proof of that key.
    NotActive,
    /// The token lacks a scope the route needs.
    InsufficientScope,
    /// The provider's keys could not be fetched and the last set is past its staleness
    /// bound: the token cannot be checked now. Not the client's fault.
    KeysUnavailable,
    /// The introspection endpoint could not be reached or answered badly.
    IntrospectionUnavailable,
    /// `Authorization: DPoP` without a `DPoP` proof header (RFC 9449 section 7.1): 401
    /// `invalid_dpop_proof`. (Two `DPoP` headers are [`InvalidRequest`](Self::InvalidRequest).)
    NoDpopProof,
    /// The DPoP proof failed a check of RFC 9449 section 4.3: 401 `invalid_dpop_proof`, or
    /// for [`ProofError::Nonce`] (it lacks the gateway's current nonce) `use_dpop_nonce`
    /// with a `DPoP-Nonce` header naming the nonce to use.
    DpopProof(ProofError),
    /// The DPoP proof's `jti` was already used within the proof window: a replayed proof.
    /// 401 `invalid_dpop_proof`.
    DpopReplayed,
    /// The token's provider does not take tokens presented this way
    /// ([`SenderConstraint`](crate::SenderConstraint)): a bearer token where DPoP is
    /// required, or a DPoP request where only bearer tokens are. 401 `invalid_token`.
    SchemeNotAllowed,
    /// The DPoP replay store cannot take the proof's `jti` now (full of unexpired ones, or
    /// unreachable): the proof cannot be checked for replay, so it is not accepted. Not the
    /// client's fault: 503.
    ReplayCheckUnavailable,
}

/// An HTTP authentication scheme for access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `Authorization: Bearer` (RFC 6750).
    Bearer,
    /// `Authorization: DPoP` with a `DPoP` proof header (RFC 9449).
    Dpop,
}

impl Scheme {
    fn other(self) -> Scheme {
        match self {
            Scheme::Bearer => Scheme::Dpop,
            Scheme::Dpop => Scheme::Bearer,
        }
    }
}

/// What a refusal's answer offers the client: one `WWW-Authenticate` challenge per scheme
/// the server takes (RFC 9110 section 11.6.1), with the realm, the DPoP algorithms, the
/// scopes a route needs, and the scheme the request used, whose challenge carries the
/// `error` (a proof's error goes on the DPoP challenge).
///
/// ```
/// use jwt_core::Algorithm;
/// use jwt_core_tower::{Challenges, Refusal, Scheme};
/// let offered = Challenges::bearer(Some("api"))
///     .dpop(&[Algorithm::Es256, Algorithm::EdDsa])
///     .used(Scheme::Dpop);
/// let response: http::Response<()> =
///     Refusal::Token(jwt_core::Error::Expired).challenged_response(&offered);
/// let challenges: Vec<_> = response.headers().get_all("www-authenticate").iter().collect();
/// assert_eq!(challenges, [
///     r#"DPoP realm="api", algs="ES256 EdDSA", error="invalid_token""#,
///     r#"Bearer realm="api""#,
/// ]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Challenges<'a> {
    realm: Option<&'a str>,
    scope: Option<&'a str>,
    bearer: bool,
    dpop: Option<&'a [Algorithm]>,
    used: Option<Scheme>,
    nonce: Option<&'a str>,
}

impl<'a> Challenges<'a> {
    /// The `Bearer` challenge alone, with `realm` if given.
    pub fn bearer(realm: Option<&'a str>) -> Self {
        Challenges {
            realm,
            scope: None,
            bearer: true,
            dpop: None,
            used: None,
            nonce: None,
        }
    }

    /// The `DPoP` challenge alone, naming the proof algorithms accepted.
    pub fn dpop_only(realm: Option<&'a str>, algorithms: &'a [Algorithm]) -> Self {
        Challenges {
            bearer: false,
            ..Challenges::bearer(realm).dpop(algorithms)
        }
    }

    /// Offers DPoP too, naming the proof algorithms accepted.
    pub fn dpop(mut self, algorithms: &'a [Algorithm]) -> Self {
        self.dpop = Some(algorithms);
        self
    }

    /// The scheme the request used; its challenge carries the error.
    pub fn used(mut self, scheme: Scheme) -> Self {
        self.used = Some(scheme);
        self
    }

    /// The scopes the route needs, for `insufficient_scope`.
    pub fn scope(mut self, scope: Option<&'a str>) -> Self {
        self.scope = scope;
        self
    }

    /// The server nonce a `use_dpop_nonce` answer hands out in its `DPoP-Nonce` header.
    pub fn nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }

    fn offers(&self, scheme: Scheme) -> bool {
        match scheme {
            Scheme::Bearer => self.bearer,
            Scheme::Dpop => self.dpop.is_some(),
        }
    }
}

impl Refusal {
    /// The RFC 6750 error, `None` for the server-side failures (503) and for the refusals of
    /// a DPoP proof, which RFC 9449 names ([`code`](Self::code)).
    ///
    /// ```
    /// use jwt_core::bearer::BearerError;
    /// use jwt_core_tower::Refusal;
    /// assert_eq!(Refusal::UnknownIssuer.bearer(), Some(BearerError::InvalidToken));
    /// // A token bound to a key, without the proof of possession it needs.
    /// let bound = Refusal::Token(jwt_core::Error::SenderConstrained);
    /// assert_eq!((bound.bearer(), bound.status()), (Some(BearerError::InvalidToken), 401));
    /// assert_eq!(Refusal::IntrospectionUnavailable.bearer(), None);
    /// ```
    pub fn bearer(self) -> Option<BearerError> {
        match self {
            Refusal::NoCredentials => Some(BearerError::NoCredentials),
            Refusal::InvalidRequest => Some(BearerError::InvalidRequest),
            Refusal::Token(_)
            | Refusal::UnknownIssuer
            | Refusal::NotActive
            | Refusal::SchemeNotAllowed => Some(BearerError::InvalidToken),
            Refusal::InsufficientScope => Some(BearerError::InsufficientScope),
            Refusal::KeysUnavailable
            | Refusal::IntrospectionUnavailable
            | Refusal::NoDpopProof
            | Refusal::DpopProof(_)
            | Refusal::DpopReplayed
            | Refusal::ReplayCheckUnavailable => None,
        }
    }

    /// The `error` of the challenge: RFC 6750's codes, RFC 9449's `invalid_dpop_proof` and
    /// `use_dpop_nonce`; `None` without credentials and for the server-side failures (503).
    ///
    /// ```
    /// use jwt_core_tower::Refusal;
    /// assert_eq!(Refusal::NotActive.code(), Some("invalid_token"));
    /// assert_eq!(Refusal::NoDpopProof.code(), Some("invalid_dpop_proof"));
    /// assert_eq!(Refusal::NoCredentials.code(), None);
    /// ```
    pub fn code(self) -> Option<&'static str> {
        match self {
            Refusal::NoDpopProof | Refusal::DpopReplayed => Some("invalid_dpop_proof"),
            Refusal::DpopProof(error) => Some(error.code()),
            _ => self.bearer().and_then(BearerError::code),
        }
    }

    /// Whether this refuses the request's DPoP proof (its error goes on the DPoP challenge).
    fn is_proof_refusal(self) -> bool {
        matches!(
            self,
            Refusal::NoDpopProof | Refusal::DpopProof(_) | Refusal::DpopReplayed
        )
    }

    /// The HTTP status: 400, 401 or 403 as RFC 6750 and RFC 9449 say, 503 when the provider
    /// or the replay store cannot be consulted.
    pub fn status(self) -> u16 {
        match self {
            Refusal::NoDpopProof | Refusal::DpopProof(_) | Refusal::DpopReplayed => 401,
            _ => self.bearer().map_or(503, BearerError::status),
        }
    }

    /// The answer of a server taking bearer tokens: the status, and for 400/401/403 a
    /// `WWW-Authenticate` challenge with the realm and, for a missing scope, the scopes
    /// needed; a refusal of a DPoP proof has the `DPoP` challenge (every asymmetric
    /// algorithm) first. The body is empty. [`challenged_response`](Self::challenged_response)
    /// chooses the schemes offered.
    ///
    /// ```
    /// let response: http::Response<String> =
    ///     jwt_core_tower::Refusal::InsufficientScope.response(Some("api"), Some("orders:read"));
    /// assert_eq!(response.status(), 403);
    /// assert_eq!(
    ///     response.headers()["www-authenticate"],
    ///     r#"Bearer realm="api", error="insufficient_scope", scope="orders:read""#
    /// );
    /// ```
    pub fn response<B: Default>(self, realm: Option<&str>, scope: Option<&str>) -> Response<B> {
        let mut offered = Challenges::bearer(realm).scope(scope);
        if self.is_proof_refusal() {
            offered = offered.dpop(Policy::ASYMMETRIC).used(Scheme::Dpop);
        }
        self.challenged_response(&offered)
    }

    /// The answer: the status, and for 400/401/403 one `WWW-Authenticate` challenge per
    /// scheme `offered` (RFC 6750 section 3, RFC 9449 sections 7.1 and 12.2), the one
    /// carrying the `error` first: the scheme the request used (or the other, when that one
    /// is not offered), `DPoP` for a refusal of the proof. A `use_dpop_nonce` answer carries
    /// the offered nonce as `DPoP-Nonce`. The body is empty.
    ///
    /// | refusal | status | challenges, both schemes offered |
    /// |---|---|---|
    /// | `NoCredentials` | 401 | `Bearer realm="..."`, `DPoP algs="..."` |
    /// | `NoDpopProof`, `DpopProof(_)`, `DpopReplayed` | 401 | `DPoP algs="...", error="invalid_dpop_proof"`, `Bearer` |
    /// | `DpopProof(ProofError::Nonce)` | 401 | `DPoP algs="...", error="use_dpop_nonce"`, `Bearer`; and `DPoP-Nonce` |
    /// | `Token(_)`, `NotActive`, `SchemeNotAllowed`... | 401 | the used scheme's with `error="invalid_token"`, the other |
    ///
    /// ```
    /// use jwt_core::{Algorithm, dpop::ProofError};
    /// use jwt_core_tower::{Challenges, Refusal, Scheme};
    /// let offered = Challenges::dpop_only(None, &[Algorithm::Es256]).used(Scheme::Dpop).nonce("n-1");
    /// let response: http::Response<()> = Refusal::DpopProof(ProofError::Nonce).challenged_response(&offered);
    /// assert_eq!(response.status(), 401);
    /// assert_eq!(response.headers()["www-authenticate"], r#"DPoP algs="ES256", error="use_dpop_nonce""#);
    /// assert_eq!(response.headers()["dpop-nonce"], "n-1");
    /// ```
    pub fn challenged_response<B: Default>(self, offered: &Challenges<'_>) -> Response<B> {
        let mut response = Response::new(B::default());
        let status = self.status();
        *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED);
        if status == 503 {
            return response;
        }
        let concerned = if self.is_proof_refusal() {
            Scheme::Dpop
        } else {
            offered.used.unwrap_or(Scheme::Bearer)
        };
        let carrier = if offered.offers(concerned) {
            concerned
        } else {
            concerned.other()
        };
        let code = self.code();
        let order = match code {
            Some(_) => [carrier, carrier.other()],
            None => [Scheme::Bearer, Scheme::Dpop],
        };
        for scheme in order.into_iter().filter(|&s| offered.offers(s)) {
            let code = code.filter(|_| scheme == carrier);
            let value = HeaderValue::from_str(&challenge(scheme, offered, code))
                .unwrap_or(HeaderValue::from_static("Bearer"));
            response
                .headers_mut()
                .append(header::WWW_AUTHENTICATE, value);
        }
        if let (Refusal::DpopProof(ProofError::Nonce), Some(nonce)) = (self, offered.nonce) {
            if let Ok(nonce) = HeaderValue::from_str(nonce) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static("dpop-nonce"), nonce);
            }
        }
        response
    }
}

/// One challenge: the scheme, then `realm`, `algs` (DPoP), `error` and `scope` (with
/// `insufficient_scope`) where present. Quoted values keep only the characters RFC 6750
/// allows in them, so no configured text can break the header.
fn challenge(scheme: Scheme, offered: &Challenges<'_>, code: Option<&str>) -> String {
    let mut out = String::from(match scheme {
        Scheme::Bearer => "Bearer",
        Scheme::Dpop => "DPoP",
    });
    let mut separator = " ";
    let mut attribute = |name: &str, value: &str, spaces: bool| {
        out.push_str(separator);
        separator = ", ";
        out.push_str(name);
        out.push_str("=\"");
        out.extend(value.chars().filter(|&c| {
            matches!(c, '\x21' | '\x23'..='\x5B' | '\x5D'..='\x7E') || (spaces && c == ' ')
        }));
        out.push('"');
    };
    if let Some(realm) = offered.realm {
        attribute("realm", realm, true);
    }
    if let (Scheme::Dpop, Some(algorithms)) = (scheme, offered.dpop) {
        let names: Vec<&str> = algorithms.iter().map(|alg| alg.name()).collect();
        attribute("algs", &names.join(" "), true);
    }
    if let Some(code) = code {
        attribute("error", code, false);
        if let (Some(scope), "insufficient_scope") = (offered.scope, code) {
            attribute("scope", scope, true);
        }
    }
    out
}

impl From<BearerError> for Refusal {
    fn from(e: BearerError) -> Self {
        match e {
            BearerError::NoCredentials => Refusal::NoCredentials,
            BearerError::InvalidRequest => Refusal::InvalidRequest,
            BearerError::InvalidToken => Refusal::NotActive,
            BearerError::InsufficientScope => Refusal::InsufficientScope,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NoCredentials => f.write_str("no bearer token"),
            Refusal::InvalidRequest => f.write_str("malformed Authorization header"),
            Refusal::Token(e) => write!(f, "invalid token: {e}"),
            Refusal::UnknownIssuer => f.write_str("token from an issuer that is not trusted"),
            Refusal::NotActive => f.write_str("opaque token not active"),
            Refusal::InsufficientScope => f.write_str("token lacks a required scope"),
            Refusal::KeysUnavailable => f.write_str("provider keys unavailable"),
            Refusal::IntrospectionUnavailable => f.write_str("introspection endpoint unavailable"),
            Refusal::NoDpopProof => f.write_str("DPoP request without a DPoP proof"),
            Refusal::DpopProof(e) => write!(f, "invalid DPoP proof: {e}"),
            Refusal::DpopReplayed => f.write_str("DPoP proof replayed"),
            Refusal::SchemeNotAllowed => {
                f.write_str("token presented with a scheme its provider does not take")
            }
            Refusal::ReplayCheckUnavailable => f.write_str("DPoP replay store unavailable"),
        }
    }
}

impl std::error::Error for Refusal {}
