//! Certificate-bound tokens (RFC 8705 section 3): the client certificate of the request's
//! mutually authenticated TLS connection, from the server that terminated it
//! ([`ClientCertificate`]) or from a trusted TLS-terminating proxy's RFC 9440 `Client-Cert`
//! header.

use std::sync::Arc;

use http::{Extensions, HeaderMap, Request};
use jwt_core::Thumbprint;

use super::Authenticator;
use crate::refusal::Refusal;

/// The header a TLS-terminating proxy passes the client certificate in (RFC 9440), made at
/// compile time.
const CLIENT_CERT: http::HeaderName = http::HeaderName::from_static("client-cert");

/// The TLS client certificate of the connection a request came on, verified by whatever
/// terminated TLS (a rustls server with client authentication): put it in each request's
/// extensions. A token bound to a certificate (`cnf` with `x5t#S256`, RFC 8705 section 3)
/// is accepted only with the certificate it names; bearer tokens stay valid with or without
/// one.
///
/// Its thumbprint is worked out once, when it is made: make it once per connection and
/// clone it into each request (a clone shares the bytes).
///
/// ```
/// use jwt_core_tower::ClientCertificate;
/// # let der: &[u8] = b"the DER bytes of the verified client certificate";
/// let certificate = ClientCertificate::from_der(der);
/// let mut request = http::Request::new(());
/// request.extensions_mut().insert(jwt_core_tower::SecureConnection);
/// request.extensions_mut().insert(certificate.clone());
/// assert_eq!(certificate.thumbprint().as_str().len(), 43);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCertificate {
    der: Arc<[u8]>,
    thumbprint: Thumbprint,
}

impl ClientCertificate {
    /// The certificate with this DER encoding.
    pub fn from_der(der: impl Into<Arc<[u8]>>) -> Self {
        let der = der.into();
        let thumbprint = Thumbprint::of_certificate(&der);
        ClientCertificate { der, thumbprint }
    }

    /// Its DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Its SHA-256 thumbprint, as a bound token's `cnf` names it (`x5t#S256`).
    pub fn thumbprint(&self) -> &Thumbprint {
        &self.thumbprint
    }
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("x5t#S256", &self.thumbprint)
            .field("der", &format_args!("{} bytes", self.der.len()))
            .finish()
    }
}

impl<T> Authenticator<T> {
    /// Removes a `Client-Cert` header that does not come from a trusted proxy: anyone could
    /// write it, so nothing after the layer may read it either.
    pub(crate) fn remove_untrusted_client_certificate<B>(&self, request: &mut Request<B>) {
        if request.headers().contains_key(&CLIENT_CERT)
            && !self.is_from_trusted_proxy(request.extensions())
        {
            request.headers_mut().remove(&CLIENT_CERT);
        }
    }

    /// The thumbprint of the request's client certificate: the one a trusted proxy passed in
    /// `Client-Cert` (its own connection to this server may be mutually authenticated with
    /// the proxy's certificate), else the [`ClientCertificate`] of the connection. A
    /// `Client-Cert` header from anyone else is ignored.
    ///
    /// # Errors
    /// [`Refusal::InvalidRequest`] for a trusted proxy's `Client-Cert` that is not one
    /// colon-wrapped base64 value.
    pub(crate) fn client_certificate(
        &self,
        headers: &HeaderMap,
        extensions: &Extensions,
    ) -> Result<Option<Thumbprint>, Refusal> {
        if headers.contains_key(&CLIENT_CERT) && self.is_from_trusted_proxy(extensions) {
            let mut values = headers.get_all(&CLIENT_CERT).iter();
            let (Some(value), None) = (values.next(), values.next()) else {
                return Err(Refusal::InvalidRequest);
            };
            let der = value
                .to_str()
                .ok()
                .and_then(byte_sequence)
                .ok_or(Refusal::InvalidRequest)?;
            return Ok(Some(Thumbprint::of_certificate(&der)));
        }
        let certificate = extensions.get::<ClientCertificate>();
        Ok(certificate.map(|certificate| certificate.thumbprint))
    }
}

/// The bytes of an RFC 8941 byte sequence (`:` base64 `:`, the form of RFC 9440
/// `Client-Cert`), surrounding spaces allowed; `None` for anything else or an empty one.
/// RFC 8941 section 4.2.7 lets parsers accept base64 without its padding, as this does.
fn byte_sequence(value: &str) -> Option<Vec<u8>> {
    let base64 = value
        .trim_matches(' ')
        .strip_prefix(':')?
        .strip_suffix(':')?;
    let unpadded = base64.strip_suffix("==").or(base64.strip_suffix('='));
    let unpadded = unpadded.unwrap_or(base64);
    // A padded sequence fills its last block: the padding must be what is missing.
    if unpadded.len() != base64.len() && base64.len() % 4 != 0 {
        return None;
    }
    // Translated to base64url, which jwt-core decodes; `-` and `_` are not base64, so they
    // are refused first.
    let url: Vec<u8> = unpadded
        .bytes()
        .map(|b| match b {
            b'+' => Some(b'-'),
            b'/' => Some(b'_'),
            b'-' | b'_' => None,
            b => Some(b),
        })
        .collect::<Option<_>>()?;
    let mut der = vec![0u8; jwt_core::base64url::decoded_len(url.len())?];
    let len = jwt_core::base64url::decode(&url, &mut der).ok()?;
    der.truncate(len);
    (!der.is_empty()).then_some(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_cert_is_a_colon_wrapped_base64_byte_sequence() {
        assert_eq!(byte_sequence(":aGVsbG8=:").as_deref(), Some(&b"hello"[..]));
        assert_eq!(
            byte_sequence(" :aGVsbG8=: ").as_deref(),
            Some(&b"hello"[..])
        );
        assert_eq!(byte_sequence(":aGVsbG8:").as_deref(), Some(&b"hello"[..]));
        assert_eq!(byte_sequence(":aGk=:").as_deref(), Some(&b"hi"[..]));
        assert_eq!(byte_sequence(":aA==:").as_deref(), Some(&b"h"[..]));
        assert_eq!(byte_sequence(":+/8=:").as_deref(), Some(&[0xfb, 0xff][..]));
        for bad in [
            "aGVsbG8=",
            ":aGVsbG8=",
            "aGVsbG8=:",
            "::",
            ":-_8=:",
            ":aGVsbG8==:",
            ":aGVsbG9=:",
            ":aGVs bG8=:",
            ":a:",
            ":aGVsbG8=:extra",
            "",
        ] {
            assert_eq!(byte_sequence(bad), None, "{bad:?}");
        }
    }
}
