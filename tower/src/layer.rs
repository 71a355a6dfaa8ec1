//! The tower middleware: [`JwtAuthLayer`] checks the bearer token of every request,
//! [`RequireScopeLayer`] checks the scopes of a route.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderName, HeaderValue, Request, Response};
use jwt_core::Algorithm;
use pin_project_lite::pin_project;
use serde::de::DeserializeOwned;
use tower_layer::Layer;
use tower_service::Service;

use crate::authenticator::Authenticator;
use crate::refusal::{Challenges, Refusal, Scheme};

/// The scopes granted to the request's token and the scheme it was presented with, put in
/// the request's extensions next to [`Verified`](crate::Verified) for layers that do not know
/// the claims type ([`RequireScopeLayer`]).
#[derive(Debug, Clone)]
pub struct GrantedScopes {
    scopes: Arc<str>,
    scheme: Scheme,
    /// The algorithms DPoP proofs may use, for the challenge of a DPoP request.
    dpop_algorithms: Arc<[Algorithm]>,
}

impl GrantedScopes {
    /// The granted scopes.
    ///
    /// ```
    /// # fn f(scopes: &jwt_core_tower::GrantedScopes) {
    /// let may_read = scopes.scopes().contains("orders:read");
    /// # }
    /// ```
    pub fn scopes(&self) -> jwt_core::scope::Scopes<'_> {
        jwt_core::scope::Scopes::Delimited(&self.scopes)
    }

    /// How the request presented its token: `Bearer`, or `DPoP` with a proof. A refusal
    /// of the request answers with this scheme's challenge.
    ///
    /// ```
    /// # fn f(granted: &jwt_core_tower::GrantedScopes) {
    /// let proven = granted.scheme() == jwt_core_tower::Scheme::Dpop;
    /// # }
    /// ```
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The answer refusing this request for `refusal` (a rule of its route it does not
    /// meet), in the challenge of the scheme it used: `Bearer`, or `DPoP` naming the proof
    /// algorithms (RFC 9449 section 7.1); with `realm`, and for `insufficient_scope` the
    /// scopes needed. [`RequireScopeLayer`] answers so.
    ///
    /// ```
    /// use jwt_core_tower::{GrantedScopes, Refusal};
    /// fn refuse(granted: &GrantedScopes) -> http::Response<String> {
    ///     granted.refusal_response(Refusal::InsufficientScope, Some("api"), Some("orders:write"))
    /// }
    /// # let _ = refuse;
    /// ```
    pub fn refusal_response<B: Default>(
        &self,
        refusal: Refusal,
        realm: Option<&str>,
        scope: Option<&str>,
    ) -> Response<B> {
        let offered = match self.scheme {
            Scheme::Bearer => Challenges::bearer(realm),
            Scheme::Dpop => Challenges::dpop_only(realm, &self.dpop_algorithms),
        };
        refusal.challenged_response(&offered.scope(scope).used(self.scheme))
    }
}

/// Requires a valid bearer token on every request: refused requests get their RFC 6750
/// answer (see [`Refusal`]); accepted ones reach the inner service with [`Verified<T>`](crate::Verified) and
/// [`GrantedScopes`] in their extensions, and the configured claims as headers.
///
/// Works for any `http` service (axum, hyper, tonic): the answer's body is the inner
/// service's body type, empty.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use axum::{Router, routing::get};
/// use jwt_core_tower::{Authenticator, Claims, Provider, RequireScopeLayer};
/// #[derive(Clone, serde::Deserialize)]
/// struct Access { sub: String }
/// let auth = Authenticator::<Access>::builder()
///     .provider(Provider::discover("https://idp.example").audience("https://api.example"))
///     .build()
///     .await?;
/// let app: Router = Router::new()
///     .route(
///         "/orders",
///         get(|Claims(access): Claims<Access>| async move { access.sub })
///             .layer(RequireScopeLayer::new(["orders:read"])),
///     )
///     .layer(auth.layer());
/// # let _ = app;
/// # Ok(())
/// # }
/// ```
pub struct JwtAuthLayer<T> {
    auth: Authenticator<T>,
}

impl<T> Clone for JwtAuthLayer<T> {
    fn clone(&self) -> Self {
        JwtAuthLayer {
            auth: self.auth.clone(),
        }
    }
}

impl<T> std::fmt::Debug for JwtAuthLayer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtAuthLayer")
            .field("auth", &self.auth)
            .finish()
    }
}

impl<T> Authenticator<T> {
    /// The layer checking requests with this authenticator.
    pub fn layer(&self) -> JwtAuthLayer<T> {
        JwtAuthLayer { auth: self.clone() }
    }
}

impl<S, T> Layer<S> for JwtAuthLayer<T> {
    type Service = JwtAuth<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        JwtAuth {
            inner,
            auth: self.auth.clone(),
        }
    }
}

/// The service [`JwtAuthLayer`] makes.
pub struct JwtAuth<S, T> {
    inner: S,
    auth: Authenticator<T>,
}

impl<S: Clone, T> Clone for JwtAuth<S, T> {
    fn clone(&self) -> Self {
        JwtAuth {
            inner: self.inner.clone(),
            auth: self.auth.clone(),
        }
    }
}

impl<S: std::fmt::Debug, T> std::fmt::Debug for JwtAuth<S, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtAuth")
            .field("inner", &self.inner)
            .field("auth", &self.auth)
            .finish()
    }
}

type BoxFuture<R, E> = Pin<Box<dyn Future<Output = Result<R, E>> + Send>>;

impl<S, T, ReqBody, ResBody> Service<Request<ReqBody>> for JwtAuth<S, T>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    T: DeserializeOwned + Send + Sync + 'static,
    ReqBody: Send + 'static,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        // The clone that was made ready is the one that serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let auth = self.auth.clone();
        Box::pin(async move {
            // Headers the gateway sets from claims never come from the client, nor do
            // names an upstream could take for them.
            if auth.forwards_claims() {
                let forged: Vec<_> = request
                    .headers()
                    .keys()
                    .filter(|name| auth.is_forwarded_name(name))
                    .cloned()
                    .collect();
                for name in forged {
                    request.headers_mut().remove(name);
                }
            }
            auth.remove_untrusted_client_certificate(&mut request);
            let presentation = auth.presentation(
                request.method(),
                request.uri(),
                request.headers(),
                request.extensions(),
            );
            let (used, admitted) = match presentation {
                Ok(presentation) => {
                    let used = presentation.scheme;
                    (Some(used), auth.authenticate_presented(presentation).await)
                }
                Err((used, refusal)) => {
                    auth.count_refusal(used);
                    (used, Err(refusal))
                }
            };
            match admitted {
                Ok(admitted) => {
                    let verified = admitted.verified;
                    let headers = request.headers_mut();
                    for (name, value) in verified.forwarded_headers() {
                        headers.insert(name.clone(), value.clone());
                    }
                    let extensions = request.extensions_mut();
                    extensions.insert(GrantedScopes {
                        scopes: verified.scopes_text(),
                        scheme: used.unwrap_or(Scheme::Bearer),
                        dpop_algorithms: auth.dpop_algorithms(),
                    });
                    extensions.insert(verified);
                    let mut response = inner.call(request).await?;
                    // RFC 9449 section 8.2: a new nonce may come with any answer.
                    if let Some(nonce) = admitted.dpop_nonce {
                        if let Ok(nonce) = HeaderValue::from_str(&nonce) {
                            response
                                .headers_mut()
                                .insert(HeaderName::from_static("dpop-nonce"), nonce);
                        }
                    }
                    Ok(response)
                }
                Err(refusal) => Ok(auth.refusal_response(refusal, used)),
            }
        })
    }
}

/// Requires scopes of the token [`JwtAuthLayer`] accepted: a request without all of them is
/// refused with 403 `insufficient_scope` naming them (RFC 6750 section 3.1), in the
/// challenge of the scheme the request used (`Bearer`, or `DPoP` with the proof algorithms,
/// RFC 9449 section 7.1). Put it on the routes that need it, inside the authentication
/// layer.
///
/// ```
/// let orders = jwt_core_tower::RequireScopeLayer::new(["orders:read"]).realm("orders");
/// # let _ = orders;
/// ```
#[derive(Debug, Clone)]
pub struct RequireScopeLayer {
    scopes: Arc<[String]>,
    /// Written once, for the challenge.
    joined: Arc<str>,
    realm: Option<Arc<str>>,
}

impl RequireScopeLayer {
    /// Requires every scope of `scopes`.
    pub fn new<I, S>(scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let scopes: Vec<String> = scopes.into_iter().map(Into::into).collect();
        let joined = scopes.join(" ");
        RequireScopeLayer {
            scopes: scopes.into(),
            joined: joined.into(),
            realm: None,
        }
    }

    /// The `realm` of the challenge.
    pub fn realm(mut self, realm: &str) -> Self {
        self.realm = Some(realm.into());
        self
    }
}

impl<S> Layer<S> for RequireScopeLayer {
    type Service = RequireScope<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireScope {
            inner,
            required: self.clone(),
        }
    }
}

/// The service [`RequireScopeLayer`] makes.
#[derive(Debug, Clone)]
pub struct RequireScope<S> {
    inner: S,
    required: RequireScopeLayer,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RequireScope<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = RequireScopeFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let realm = self.required.realm.as_deref();
        let scope = Some(&*self.required.joined);
        let refused = match request.extensions().get::<GrantedScopes>() {
            // No authentication layer ran: the request has no credentials for this route.
            None => Some(Refusal::NoCredentials.response(realm, scope)),
            Some(granted) => {
                let needed = self.required.scopes.iter().map(String::as_str);
                let all = needed.into_iter().all(|s| granted.scopes().contains(s));
                (!all).then(|| granted.refusal_response(Refusal::InsufficientScope, realm, scope))
            }
        };
        let kind = match refused {
            None => Kind::Inner {
                future: self.inner.call(request),
            },
            Some(response) => Kind::Refused {
                response: Some(response),
            },
        };
        RequireScopeFuture { kind }
    }
}

pin_project! {
    /// The response future of [`RequireScope`]: the inner service's, or the refusal, ready
    /// at once (nothing boxed).
    pub struct RequireScopeFuture<F, B> {
        #[pin]
        kind: Kind<F, B>,
    }
}

pin_project! {
    #[project = KindProjection]
    enum Kind<F, B> {
        Inner { #[pin] future: F },
        Refused { response: Option<Response<B>> },
    }
}

impl<F, B> std::fmt::Debug for RequireScopeFuture<F, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequireScopeFuture { .. }")
    }
}

impl<F, B, E> Future for RequireScopeFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProjection::Inner { future } => future.poll(cx),
            // A future polled again after it completed may do anything but must not be
            // unsound: it stays pending rather than panic.
            KindProjection::Refused { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                None => Poll::Pending,
            },
        }
    }
}
