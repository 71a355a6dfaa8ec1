//! Provider metadata: OpenID Connect Discovery 1.0, then RFC 8414 authorization server
//! metadata, each refused unless its `issuer` is exactly the configured issuer.

use serde::Deserialize;
use tracing::debug;

use crate::fetch::{FetchError, Fetched, Fetcher, checked_url};

/// What this crate uses of a provider's metadata document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Metadata {
    pub(crate) jwks_uri: String,
    pub(crate) introspection_endpoint: Option<String>,
}

#[derive(Deserialize)]
struct Document {
    issuer: String,
    jwks_uri: Option<String>,
    introspection_endpoint: Option<String>,
}

/// The two places a provider publishes its metadata: OpenID Connect Discovery appends the
/// well-known path to the issuer; RFC 8414 (section 3.1) inserts it between host and path.
pub(crate) fn metadata_urls(issuer: &str) -> Result<[String; 2], FetchError> {
    let url = checked_url(issuer)?;
    let openid = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let path = url.path().trim_end_matches('/');
    let mut origin = url.clone();
    origin.set_path("");
    origin.set_query(None);
    let origin = origin.as_str().trim_end_matches('/').to_string();
    let oauth = format!("{origin}/.well-known/oauth-authorization-server{path}");
    Ok([openid, oauth])
}

/// Fetches the issuer's metadata: the OpenID document if the provider has one, otherwise
/// the RFC 8414 one. A document that is found but names another issuer is refused at once.
pub(crate) async fn discover(fetcher: &Fetcher, issuer: &str) -> Result<Metadata, FetchError> {
    let mut last = None;
    for url in metadata_urls(issuer)? {
        match fetcher.get(&url, None).await {
            Ok(Fetched::Body { body, .. }) => return parse(&body, issuer),
            Ok(Fetched::NotModified { .. }) => {
                last = Some(FetchError::Status(304));
            }
            Err(e) => {
                debug!(%url, error = %e, "no provider metadata here");
                last = Some(e);
            }
        }
    }
    Err(last.unwrap_or(FetchError::Status(404)))
}

fn parse(body: &[u8], issuer: &str) -> Result<Metadata, FetchError> {
    let doc: Document =
        serde_json::from_slice(body).map_err(|e| FetchError::Invalid(e.to_string()))?;
    if doc.issuer != issuer {
        return Err(FetchError::Invalid(format!(
            "metadata names issuer {:?}, not the configured {issuer:?}",
            doc.issuer
        )));
    }
    let jwks_uri = doc
        .jwks_uri
        .ok_or_else(|| FetchError::Invalid("metadata has no jwks_uri".into()))?;
    checked_url(&jwks_uri)?;
    if let Some(endpoint) = &doc.introspection_endpoint {
        checked_url(endpoint)?;
    }
    Ok(Metadata {
        jwks_uri,
        introspection_endpoint: doc.introspection_endpoint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_well_known_locations_are_derived_from_the_issuer() {
        assert_eq!(
            metadata_urls("https://idp.example").unwrap(),
            [
                "https://idp.example/.well-known/openid-configuration",
                "https://idp.example/.well-known/oauth-authorization-server"
            ]
        );
        assert_eq!(
            metadata_urls("https://idp.example/tenant/a/").unwrap(),
            [
                "https://idp.example/tenant/a/.well-known/openid-configuration",
                "https://idp.example/.well-known/oauth-authorization-server/tenant/a"
            ]
        );
        assert!(metadata_urls("http://idp.example").is_err());
    }

    #[test]
    fn metadata_must_name_the_configured_issuer_exactly() {
        let doc = br#"{"issuer":"https://idp.example","jwks_uri":"https://idp.example/jwks"}"#;
        assert_eq!(
            parse(doc, "https://idp.example").unwrap().jwks_uri,
            "https://idp.example/jwks"
        );
        for other in [
            "https://idp.example/",
            "https://IDP.example",
            "https://idp.example.evil",
        ] {
            assert!(
                matches!(parse(doc, other), Err(FetchError::Invalid(_))),
                "{other}"
            );
        }
        let insecure = br#"{"issuer":"https://idp.example","jwks_uri":"http://idp.example/jwks"}"#;
        assert!(matches!(
            parse(insecure, "https://idp.example"),
            Err(FetchError::InsecureUrl(_))
        ));
        let no_keys = br#"{"issuer":"https://idp.example"}"#;
        assert!(parse(no_keys, "https://idp.example").is_err());
    }
}
