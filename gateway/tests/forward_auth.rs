//! Forward-auth mode through each proxy's header contract (nginx `auth_request`, Traefik
//! `forwardAuth`, Caddy `forward_auth`, Envoy `ext_authz` HTTP), against tokens of a real
//! OpenID provider (node-oidc-provider) and of a local key: the same answers whichever
//! proxy asks, route rules applied to the original request, claim headers in the answer and
//! nothing a client sent under their names, DPoP proofs checked against the original URL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../tower/tests/common/mod.rs"]
mod common;
mod support;

use base64ct::{Base64UrlUnpadded, Encoding};
use common::{Idp, node_ready};
use jwt_core::Es256PrivateKey;
use jwt_core::dpop::{self, ProofClaims};
use serde_json::json;
use support::{TempDir, client, gateway, local_provider, token};

/// The four header contracts.
#[derive(Debug, Clone, Copy)]
enum Proxy {
    Nginx,
    Traefik,
    Caddy,
    Envoy,
}

const PROXIES: [Proxy; 4] = [Proxy::Nginx, Proxy::Traefik, Proxy::Caddy, Proxy::Envoy];

/// The answer: status, `WWW-Authenticate` values, and the values of `x-client-id`.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    challenges: Vec<String>,
    client_ids: Vec<String>,
}

/// Asks the gateway at `base` about `method` `path_and_query` on `https://api.example` as
/// `proxy` would, with the client's `headers`.
async fn ask(
    base: &str,
    proxy: Proxy,
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
) -> Answer {
    let client = client();
    let request = match proxy {
        Proxy::Nginx => client
            .get(format!("{base}/auth"))
            .header("x-original-uri", path_and_query)
            .header("x-original-method", method)
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-host", "api.example"),
        // Traefik and Caddy both send X-Forwarded-Method/Proto/Host/Uri with a GET.
        Proxy::Traefik | Proxy::Caddy => client
            .get(format!("{base}/auth"))
            .header("x-forwarded-method", method)
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-host", "api.example")
            .header("x-forwarded-uri", path_and_query),
        // Envoy: the original method, path appended to the prefix, Host the original
        // authority.
        Proxy::Envoy => client
            .request(
                method.parse().unwrap(),
                format!("{base}/auth{path_and_query}"),
            )
            .header("host", "api.example")
            .header("x-forwarded-proto", "https"),
    };
    let mut request = request;
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let values = |name: &str| -> Vec<String> {
        response
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    };
    Answer {
        status: response.status().as_u16(),
        challenges: values("www-authenticate"),
        client_ids: values("x-client-id"),
    }
}

fn answer(status: u16, challenges: &[&str], client_ids: &[&str]) -> Answer {
    Answer {
        status,
        challenges: challenges.iter().map(|s| s.to_string()).collect(),
        client_ids: client_ids.iter().map(|s| s.to_string()).collect(),
    }
}

const ALGS: &str = "ES256 ES384 ES512 ES256K EdDSA PS256 PS384 PS512 RS256 RS384 RS512";

const ROUTES: &str = r#"
[claim_headers]
client_id = "x-client-id"

[[route]]
prefix = "/orders"
methods = ["GET"]
scopes = ["orders:read"]

[[route]]
prefix = "/orders"
methods = ["POST", "DELETE"]
scopes = ["orders:write"]

[[route]]
prefix = "/admin"
scopes = ["orders:admin"]

[[route]]
prefix = "/either"
any_scope = ["orders:admin", "orders:read"]

[[route]]
prefix = "/app-only"
claims = { client_id = "app" }

[[route]]
prefix = "/other-only"
claims = { client_id = "other" }

[[route]]
prefix = "/public"
anonymous = true

[[route]]
prefix = "/blocked"
deny = true
"#;

/// A token with one claim of its payload replaced: same header, same signature.
fn tampered(token: &str, from: &str, to: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let payload = Base64UrlUnpadded::decode_vec(parts[1]).unwrap();
    let payload = String::from_utf8(payload).unwrap().replace(from, to);
    assert!(payload.contains(to));
    format!(
        "{}.{}.{}",
        parts[0],
        Base64UrlUnpadded::encode_string(payload.as_bytes()),
        parts[2]
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_proxy_contract_gets_the_same_answers_for_a_real_providers_tokens() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let (running, base) = gateway(&format!(
        "[[provider]]\nissuer = \"{}\"\naudiences = [\"urn:orders\"]\n{ROUTES}",
        idp.issuer
    ))
    .await;
    let es256 = idp.token("urn:orders", "orders:read").await;
    let rs256 = idp.token("urn:orders:rs256", "orders:read").await;
    let writer = idp.token("urn:orders", "orders:write").await;
    let forged = tampered(&es256, r#""sub":"app""#, r#""sub":"admin""#);
    let bearer = |token: &str| format!("Bearer {token}");
    let (es256, rs256, writer, forged) = (
        bearer(&es256),
        bearer(&rs256),
        bearer(&writer),
        bearer(&forged),
    );
    // Every challenge in one field, the one with the error first, so that a proxy copying
    // one field passes them all.
    let invalid_token = format!(r#"Bearer error="invalid_token", DPoP algs="{ALGS}""#);
    let invalid = [invalid_token.as_str()];
    let no_credentials = format!(r#"Bearer, DPoP algs="{ALGS}""#);
    for proxy in PROXIES {
        let ask =
            |method: &'static str, path: &'static str, headers: Vec<(&'static str, String)>| {
                let base = base.clone();
                async move {
                    let headers: Vec<(&str, &str)> =
                        headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
                    ask(&base, proxy, method, path, &headers).await
                }
            };
        let with = |token: &String| vec![("authorization", token.clone())];
        // Accepted, with the claim header; the client's own copies (any spelling) are
        // not in the answer.
        for token in [&es256, &rs256] {
            let mut headers = with(token);
            headers.push(("x-client-id", "admin".into()));
            headers.push(("x_client_id", "admin".into()));
            assert_eq!(
                ask("GET", "/orders/7?page=2", headers).await,
                answer(200, &[], &["app"]),
                "{proxy:?}"
            );
        }
        // Refused: no token, forged, the wrong method's scope, an admin route.
        assert_eq!(
            ask("GET", "/orders", vec![]).await,
            answer(401, &[&no_credentials], &[]),
            "{proxy:?}"
        );
        assert_eq!(
            ask("GET", "/orders", with(&forged)).await,
            answer(401, &invalid, &[]),
            "{proxy:?}"
        );
        assert_eq!(
            ask("POST", "/orders", with(&es256)).await,
            answer(
                403,
                &[r#"Bearer error="insufficient_scope", scope="orders:write""#],
                &[]
            ),
            "{proxy:?}"
        );
        assert_eq!(ask("POST", "/orders", with(&writer)).await.status, 200);
        assert_eq!(ask("GET", "/orders", with(&writer)).await.status, 403);
        assert_eq!(ask("GET", "/admin/users", with(&es256)).await.status, 403);
        // any-of scopes and claim rules.
        assert_eq!(ask("GET", "/either", with(&es256)).await.status, 200);
        assert_eq!(ask("GET", "/either", with(&writer)).await.status, 403);
        assert_eq!(ask("GET", "/app-only", with(&es256)).await.status, 200);
        assert_eq!(ask("GET", "/other-only", with(&es256)).await.status, 403);
        // Anonymous and denied routes, whatever the token.
        // (Every claim header is answered, empty without a claim, so a proxy copying it
        // over the client's leaves no forged copy.)
        assert_eq!(
            ask("GET", "/public/a", vec![("x-client-id", "admin".into())]).await,
            answer(200, &[], &[""])
        );
        assert_eq!(ask("GET", "/blocked", with(&es256)).await.status, 403);
        // Paths an upstream could read as another route: refused, not matched.
        // (reqwest resolves dot segments of the URL it requests, as WHATWG says: through
        // Envoy's path only the encoded slash reaches the gateway.)
        let paths: &[&str] = match proxy {
            Proxy::Envoy => &["/public%2fadmin"],
            _ => &[
                "/public/../admin",
                "/public/%2e%2e/admin",
                "/public%2fadmin",
            ],
        };
        for path in paths {
            assert_eq!(
                ask("GET", path, with(&es256)).await.status,
                400,
                "{proxy:?} {path}"
            );
        }
        // Merged slashes and decoded letters are the route they spell.
        assert_eq!(ask("GET", "//%61dmin", with(&es256)).await.status, 403);
        assert_eq!(ask("GET", "//public", vec![]).await.status, 200);
    }
    // Metrics name the routes and outcomes; the second use of a token came from the cache.
    let metrics = client()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        r#"jwt_gateway_requests_total{route="/orders",outcome="accepted"} 12"#,
        r#"jwt_gateway_requests_total{route="/public",outcome="anonymous"} 8"#,
        r#"jwt_gateway_requests_total{route="/blocked",outcome="forbidden"} 4"#,
        r#"jwt_gateway_key_fetches_total{result="ok"} 1"#,
        "jwt_gateway_providers 1",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
    let hits = metrics
        .lines()
        .find_map(|l| l.strip_prefix(r#"jwt_gateway_token_cache_total{result="hit"} "#))
        .unwrap();
    assert!(hits.parse::<u64>().unwrap() > 20, "{metrics}");
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_wrong_audience_and_unsigned_tokens_are_refused() {
    let dir = TempDir::new("refusals");
    let (running, base) = gateway(&format!("{}{ROUTES}", local_provider(&dir))).await;
    let now = jwt_core::now();
    let good = token(json!({}));
    let expired = token(json!({"iat": now - 1000, "exp": now - 400}));
    let elsewhere = token(json!({"aud": "urn:elsewhere"}));
    let no_typ = {
        // Signed by the right key without RFC 9068's `typ`.
        let claims = json!({"iss": support::ISSUER, "aud": support::AUDIENCE, "sub": "a",
            "client_id": "app", "iat": now, "exp": now + 60, "jti": "x", "scope": "orders:read"});
        let header = jwt_core::HeaderFields::new().kid("k1");
        jwt_core::sign_to_string(&support::key(), &header, &claims).unwrap()
    };
    let stranger = {
        let key = Es256PrivateKey::from_bytes(&[9u8; 32]).unwrap();
        let claims = json!({"iss": support::ISSUER, "aud": support::AUDIENCE, "sub": "a",
            "client_id": "app", "iat": now, "exp": now + 60, "jti": "y", "scope": "orders:read"});
        let header = jwt_core::HeaderFields::new().kid("k1").typ("at+jwt");
        jwt_core::sign_to_string(&key, &header, &claims).unwrap()
    };
    for proxy in PROXIES {
        let auth = |token: &str| format!("Bearer {token}");
        let status = |token: String| {
            let base = base.clone();
            async move { ask(&base, proxy, "GET", "/orders", &[("authorization", &token)]).await }
        };
        assert_eq!(status(auth(&good)).await.status, 200, "{proxy:?}");
        for bad in [&expired, &elsewhere, &no_typ, &stranger] {
            let refused = status(auth(bad)).await;
            assert_eq!(refused.status, 401, "{proxy:?}");
            assert!(refused.challenges[0].starts_with(r#"Bearer error="invalid_token", DPoP"#));
        }
        // Malformed credentials: 400 invalid_request.
        let malformed = status("Bearer a b".into()).await;
        assert_eq!(malformed.status, 400, "{proxy:?}");
        assert!(malformed.challenges[0].starts_with(r#"Bearer error="invalid_request", DPoP"#));
    }
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_trusted_proxies_may_describe_the_original_request() {
    let dir = TempDir::new("untrusted");
    let (running, base) = gateway(&format!(
        "trusted_proxies = [\"10.1.2.3\"]\n{}{ROUTES}",
        local_provider(&dir)
    ))
    .await;
    let good = format!("Bearer {}", token(json!({})));
    for proxy in PROXIES {
        let refused = ask(&base, proxy, "GET", "/orders", &[("authorization", &good)]).await;
        assert_eq!(refused.status, 400, "{proxy:?}");
        // Not even an anonymous route is answered for an untrusted peer.
        assert_eq!(ask(&base, proxy, "GET", "/public", &[]).await.status, 400);
    }
    running.shutdown().await;
    // A request naming no original URI is refused too.
    let (running, base) = gateway(&format!("{}{ROUTES}", local_provider(&dir))).await;
    let response = client()
        .get(format!("{base}/auth"))
        .header("authorization", &good)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    running.shutdown().await;
}

/// A proof by `key` for `method` `url` with `token`.
fn proof(key: &Es256PrivateKey, method: &str, url: &str, token: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static JTI: AtomicU64 = AtomicU64::new(0);
    let jti = format!(
        "gw-{}-{}",
        std::process::id(),
        JTI.fetch_add(1, Ordering::SeqCst)
    );
    let claims = ProofClaims::new(&jti, method, url, jwt_core::now()).access_token(token);
    let mut out = vec![0u8; 2048];
    dpop::make_proof(key, &claims, &mut out)
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dpop_proofs_are_checked_against_the_original_url() {
    if !node_ready() {
        return;
    }
    let idp = Idp::start(1).await;
    let (running, base) = gateway(&format!(
        "[[provider]]\nissuer = \"{}\"\naudiences = [\"urn:orders\"]\n{ROUTES}",
        idp.issuer
    ))
    .await;
    // A token bound to a key of this test: the token request's proof is made here.
    let key = Es256PrivateKey::from_bytes(&[5u8; 32]).unwrap();
    let token_proof = {
        let endpoint = idp.url("/token");
        let claims = ProofClaims::new("token-request", "POST", &endpoint, jwt_core::now());
        let mut out = vec![0u8; 2048];
        dpop::make_proof(&key, &claims, &mut out)
            .unwrap()
            .to_string()
    };
    let response = client()
        .post(idp.url("/token"))
        .basic_auth("app", Some("app-secret"))
        .header("dpop", token_proof)
        .form(&[
            ("grant_type", "client_credentials"),
            ("resource", "urn:orders"),
            ("scope", "orders:read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let bound = body["access_token"].as_str().unwrap().to_owned();
    let authorization = format!("DPoP {bound}");
    for proxy in PROXIES {
        let right = proof(&key, "GET", "https://api.example/orders", &bound);
        let headers = [
            ("authorization", authorization.as_str()),
            ("dpop", right.as_str()),
        ];
        assert_eq!(
            ask(&base, proxy, "GET", "/orders?x=1", &headers)
                .await
                .status,
            200,
            "{proxy:?}"
        );
        // The same proof again: a replay.
        let replayed = ask(&base, proxy, "GET", "/orders?x=1", &headers).await;
        assert_eq!(replayed.status, 401);
        assert!(
            replayed.challenges[0].contains("invalid_dpop_proof"),
            "{replayed:?}"
        );
        // A proof for another host, scheme, path or method than the original request's.
        for (method, url) in [
            ("GET", "https://evil.example/orders"),
            ("GET", "http://api.example/orders"),
            ("GET", "https://api.example/auth"),
            ("POST", "https://api.example/orders"),
        ] {
            let other = proof(&key, method, url, &bound);
            let headers = [
                ("authorization", authorization.as_str()),
                ("dpop", other.as_str()),
            ];
            let refused = ask(&base, proxy, "GET", "/orders", &headers).await;
            assert_eq!(refused.status, 401, "{proxy:?} {method} {url}");
            assert!(
                refused.challenges[0].contains("invalid_dpop_proof"),
                "{refused:?}"
            );
        }
        // The bound token as a bearer token.
        let bearer = format!("Bearer {bound}");
        assert_eq!(
            ask(
                &base,
                proxy,
                "GET",
                "/orders",
                &[("authorization", &bearer)]
            )
            .await
            .status,
            401
        );
    }
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics_are_served_beside_the_auth_endpoint() {
    let dir = TempDir::new("health");
    let (running, base) = gateway(&local_provider(&dir)).await;
    let get = |path: &str| client().get(format!("{base}{path}")).send();
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    assert_eq!(get("/readyz").await.unwrap().status(), 200);
    let metrics = get("/metrics").await.unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics
            .text()
            .await
            .unwrap()
            .contains("jwt_gateway_providers 1")
    );
    // In forward-auth mode nothing else is served.
    assert_eq!(get("/orders").await.unwrap().status(), 404);
    running.shutdown().await;
}

/// A DPoP request refused by a route's rule gets 403 in the DPoP challenge, with the proof
/// algorithms (RFC 9449 section 7.1), as one field a proxy passes on; a bearer request
/// lacking the same scope still gets the Bearer one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dpop_requests_403_carries_the_dpop_challenge() {
    let dir = TempDir::new("dpop-403");
    let (running, base) = gateway(&format!("{}{ROUTES}", local_provider(&dir))).await;
    let key = Es256PrivateKey::from_bytes(&[6u8; 32]).unwrap();
    let bound = token(json!({"cnf": {"jkt": dpop::thumbprint(&key).unwrap().as_str()}}));
    let authorization = format!("DPoP {bound}");
    let insufficient = r#"error="insufficient_scope", scope="orders:write""#;
    for (method, path, scope) in [
        ("POST", "/orders", insufficient),
        ("GET", "/other-only", r#"error="insufficient_scope""#),
    ] {
        let proof = proof(&key, method, &format!("https://api.example{path}"), &bound);
        let headers = [
            ("authorization", authorization.as_str()),
            ("dpop", proof.as_str()),
        ];
        assert_eq!(
            ask(&base, Proxy::Nginx, method, path, &headers).await,
            answer(403, &[&format!(r#"DPoP algs="{ALGS}", {scope}"#)], &[]),
            "{method} {path}"
        );
    }
    // The proof and the token are good: the route that needs nothing more accepts them.
    let proof = proof(&key, "GET", "https://api.example/orders", &bound);
    let headers = [
        ("authorization", authorization.as_str()),
        ("dpop", proof.as_str()),
    ];
    assert_eq!(
        ask(&base, Proxy::Nginx, "GET", "/orders", &headers)
            .await
            .status,
        200
    );
    let bearer = format!("Bearer {}", token(json!({})));
    assert_eq!(
        ask(
            &base,
            Proxy::Nginx,
            "POST",
            "/orders",
            &[("authorization", &bearer)]
        )
        .await,
        answer(403, &[&format!("Bearer {insufficient}")], &[])
    );
    running.shutdown().await;
}

/// Without `[redis]` a replica remembers `dpop_replay_capacity` proofs: a new proof that
/// finds the store full is refused with 503, never accepted unrecorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_replay_store_refuses_new_proofs_with_503() {
    let dir = TempDir::new("dpop-full");
    let config = format!("dpop_replay_capacity = 2\n{}{ROUTES}", local_provider(&dir));
    let (running, base) = gateway(&config).await;
    let key = Es256PrivateKey::from_bytes(&[7u8; 32]).unwrap();
    let bound = token(json!({"cnf": {"jkt": dpop::thumbprint(&key).unwrap().as_str()}}));
    let authorization = format!("DPoP {bound}");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let proof = proof(&key, "GET", "https://api.example/orders", &bound);
        let headers = [
            ("authorization", authorization.as_str()),
            ("dpop", proof.as_str()),
        ];
        statuses.push(
            ask(&base, Proxy::Nginx, "GET", "/orders", &headers)
                .await
                .status,
        );
    }
    assert_eq!(statuses, [200, 200, 503]);
    running.shutdown().await;
}

/// The request counters of a route go on across reloads: a new configuration's route
/// counts in the same series.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_counters_go_on_across_reloads() {
    let dir = TempDir::new("reload-counters");
    let text = format!("listen = \"127.0.0.1:0\"\n{}{ROUTES}", local_provider(&dir));
    let config = jwt_gateway::Config::parse(&text, None).unwrap();
    let running = jwt_gateway::start(config.clone()).await.unwrap();
    let base = format!("http://{}", running.addresses()[0]);
    let good = format!("Bearer {}", token(json!({})));
    let accepted = || async {
        let headers = [("authorization", good.as_str())];
        let answer = ask(&base, Proxy::Nginx, "GET", "/orders", &headers).await;
        assert_eq!(answer.status, 200);
    };
    accepted().await;
    accepted().await;
    running.reload(config).await.unwrap();
    accepted().await;
    assert_eq!(
        ask(&base, Proxy::Nginx, "GET", "/blocked", &[])
            .await
            .status,
        403
    );
    let metrics = client()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        r#"jwt_gateway_requests_total{route="/orders",outcome="accepted"} 3"#,
        r#"jwt_gateway_requests_total{route="/blocked",outcome="forbidden"} 1"#,
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
    running.shutdown().await;
}
