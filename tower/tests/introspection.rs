//! Opaque tokens against scripted RFC 7662 introspection endpoints on 127.0.0.1, each
//! counting the tokens it is sent: a token goes to one provider only (its prefix's, or the
//! one without a prefix), several are asked in turn only when the configuration says so,
//! and answers for tokens bound to a key (`cnf`) are refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use jwt_core::bearer::BearerError;
use jwt_core_tower::{Authenticator, BuildError, Provider, Refusal};
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
struct Claims {
    sub: String,
}

/// A JWK Set for the providers' JWTs (unused here: every token is opaque).
const JWKS: &[u8] =
    br#"{"keys":[{"kty":"oct","kid":"k","alg":"HS256","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"}]}"#;

/// An introspection endpoint: the answers it knows, by token, and the tokens it was sent.
struct Endpoint {
    answers: HashMap<String, String>,
    received: Mutex<Vec<String>>,
}

/// The provider `issuer` and its endpoint, which answers `active` for `tokens` (with
/// `extra` members) and not active for anything else.
struct Scripted {
    issuer: String,
    url: String,
    endpoint: Arc<Endpoint>,
}

impl Scripted {
    async fn start(issuer: &str, tokens: &[(&str, &str)]) -> Scripted {
        let exp = jwt_core::now() + 300;
        let answers = tokens
            .iter()
            .map(|(token, extra)| {
                let answer = format!(
                    r#"{{"active":true,"iss":"{issuer}","sub":"{token}","exp":{exp}{extra}}}"#
                );
                (token.to_string(), answer)
            })
            .collect();
        let endpoint = Arc::new(Endpoint {
            answers,
            received: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/introspect", post(introspect))
            .with_state(Arc::clone(&endpoint));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/introspect", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Scripted {
            issuer: issuer.to_string(),
            url,
            endpoint,
        }
    }

    /// The provider, introspecting at this endpoint.
    fn provider(&self) -> Provider {
        Provider::with_jwks(&self.issuer, JWKS)
            .introspection("gateway", "gateway-secret")
            .introspection_endpoint(&self.url)
    }

    /// The tokens sent here so far.
    fn received(&self) -> Vec<String> {
        self.endpoint.received.lock().unwrap().clone()
    }
}

async fn introspect(State(endpoint): State<Arc<Endpoint>>, form: String) -> impl IntoResponse {
    let token = url::form_urlencoded::parse(form.as_bytes())
        .find(|(name, _)| name == "token")
        .map(|(_, token)| token.into_owned())
        .unwrap_or_default();
    let answer = endpoint
        .answers
        .get(&token)
        .cloned()
        .unwrap_or_else(|| r#"{"active":false}"#.to_string());
    endpoint.received.lock().unwrap().push(token);
    ([(header::CONTENT_TYPE, "application/json")], answer)
}

async fn subject(auth: &Authenticator<Claims>, token: &str) -> Result<String, Refusal> {
    auth.verify(token)
        .await
        .map(|verified| verified.claims().sub.clone())
}

#[tokio::test]
async fn an_opaque_token_goes_only_to_the_provider_its_prefix_names() {
    let a = Scripted::start("https://a.example", &[("a_alice", "")]).await;
    let b = Scripted::start("https://b.example", &[("b_bob", "")]).await;
    let auth = Authenticator::<Claims>::builder()
        .provider(a.provider().opaque_token_prefix("a_"))
        .provider(b.provider().opaque_token_prefix("b_"))
        .build()
        .await
        .unwrap();
    assert_eq!(subject(&auth, "a_alice").await.unwrap(), "a_alice");
    assert_eq!(subject(&auth, "b_bob").await.unwrap(), "b_bob");
    // B's token is unknown to A, and the other way round: refused by its own provider.
    assert_eq!(subject(&auth, "b_alice").await, Err(Refusal::NotActive));
    assert_eq!(a.received(), ["a_alice"]);
    assert_eq!(b.received(), ["b_bob", "b_alice"]);
    // A token no prefix claims is sent to nobody.
    assert_eq!(subject(&auth, "c_carol").await, Err(Refusal::UnknownIssuer));
    assert_eq!((a.received().len(), b.received().len()), (1, 2));
}

#[tokio::test]
async fn a_provider_without_a_prefix_gets_only_the_tokens_no_prefix_claims() {
    let a = Scripted::start("https://a.example", &[("a_alice", "")]).await;
    let c = Scripted::start("https://c.example", &[("carol", "")]).await;
    let auth = Authenticator::<Claims>::builder()
        .provider(a.provider().opaque_token_prefix("a_"))
        .provider(c.provider())
        .build()
        .await
        .unwrap();
    assert_eq!(subject(&auth, "carol").await.unwrap(), "carol");
    assert_eq!(subject(&auth, "a_alice").await.unwrap(), "a_alice");
    assert_eq!(a.received(), ["a_alice"]);
    assert_eq!(c.received(), ["carol"]);
}

#[tokio::test]
async fn two_providers_introspecting_without_a_rule_do_not_build() {
    let a = Scripted::start("https://a.example", &[]).await;
    let b = Scripted::start("https://b.example", &[]).await;
    let built = Authenticator::<Claims>::builder()
        .provider(a.provider())
        .provider(b.provider())
        .build()
        .await;
    let error = built.unwrap_err();
    assert_eq!(
        error,
        BuildError::AmbiguousIntrospection(vec![a.issuer.clone(), b.issuer.clone()])
    );
    let message = error.to_string();
    assert!(
        message.contains("https://a.example, https://b.example") && message.contains("prefix"),
        "{message}"
    );
    let overlapping = Authenticator::<Claims>::builder()
        .provider(a.provider().opaque_token_prefix("tok_"))
        .provider(b.provider().opaque_token_prefix("tok_b_"))
        .build()
        .await;
    assert_eq!(
        overlapping.unwrap_err(),
        BuildError::OverlappingTokenPrefixes(a.issuer.clone(), b.issuer.clone())
    );
    assert_eq!((a.received().len(), b.received().len()), (0, 0));
}

#[tokio::test]
async fn in_turn_is_chosen_explicitly_and_then_discloses_each_token_to_every_provider() {
    let a = Scripted::start("https://a.example", &[("alice", "")]).await;
    let b = Scripted::start("https://b.example", &[("bob", "")]).await;
    let auth = Authenticator::<Claims>::builder()
        .provider(a.provider())
        .provider(b.provider())
        .introspect_in_turn()
        .build()
        .await
        .unwrap();
    assert_eq!(subject(&auth, "alice").await.unwrap(), "alice");
    assert_eq!(subject(&auth, "bob").await.unwrap(), "bob");
    // A was asked about B's token first: the disclosure the option documents.
    assert_eq!(a.received(), ["alice", "bob"]);
    assert_eq!(b.received(), ["bob"]);
}

#[tokio::test]
async fn answers_for_tokens_bound_to_a_key_are_refused_and_not_cached_as_accepted() {
    let jkt = r#","token_type":"DPoP","cnf":{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}"#;
    let x5t = r#","cnf":{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}"#;
    let a = Scripted::start(
        "https://a.example",
        &[
            ("dpop", jkt),
            ("mtls", x5t),
            ("plain", r#","token_type":"Bearer""#),
        ],
    )
    .await;
    let auth = Authenticator::<Claims>::builder()
        .provider(a.provider())
        .build()
        .await
        .unwrap();
    for bound in ["dpop", "mtls"] {
        for _ in 0..2 {
            let refusal = auth
                .authenticate(Some(&format!("Bearer {bound}")))
                .await
                .unwrap_err();
            assert_eq!(
                (refusal.status(), refusal.bearer()),
                (401, Some(BearerError::InvalidToken)),
                "{bound}: {refusal}"
            );
        }
    }
    // Each asked once: the second answer was the cached refusal.
    assert_eq!(a.received(), ["dpop", "mtls"]);
    assert_eq!(subject(&auth, "plain").await.unwrap(), "plain");
}
