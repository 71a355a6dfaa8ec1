"""Writes JWK Sets in the shapes that Keycloak, Auth0 and Azure AD (Microsoft Entra ID) publish,
holding this repository's test keys (run once; the outputs are committed).

The member layouts follow each provider's public documentation and published sets: Keycloak
lists a signing RSA key and an encryption key (`use: enc`, `alg: RSA-OAEP`) with `x5c`, `x5t`
and `x5t#S256`; Auth0 lists RSA signing keys with `x5c` and `x5t`; Azure AD lists RSA keys
without `alg`, with `x5t`, `x5c` and an `issuer` member. Certificates are placeholders here:
jwt-core ignores `x5c`, so only their shape matters. Needs Python 3 with `cryptography`.
"""
import base64
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization

here = Path(__file__).parent
keys = here.parent / "keys"


def b64(n: int, size: int = 0) -> str:
    raw = n.to_bytes(size or (n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


pub = serialization.load_der_public_key((keys / "rsa2048.pub.spki.der").read_bytes()).public_numbers()
ec = serialization.load_der_public_key((keys / "p256.pub.spki.der").read_bytes()).public_numbers()
n, e = b64(pub.n), b64(pub.e)
x, y = b64(ec.x, 32), b64(ec.y, 32)
cert = "MIICrzCCAZcCBgGS" + "A" * 60  # placeholder, never parsed
other_n = "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw"
sets = {
    "keycloak.json": {"keys": [
        {"kid": "Rk3q8rvlO8IbGlCkYyk2V9x1-M1hlM2RtOTgZeVf2Jc", "kty": "RSA", "alg": "RSA-OAEP",
         "use": "enc", "n": other_n, "e": "AQAB", "x5c": [cert],
         "x5t": "p2sL7ggzdR1z8Bdd2Kd9q2EOqvY", "x5t#S256": "Wq5yUYBRdcZ3mR0rYv1sPzs1V9fPPHXmlhN6G9s0NQY"},
        {"kid": "kc-rs256-2026", "kty": "RSA", "alg": "RS256", "use": "sig", "n": n, "e": e,
         "x5c": [cert], "x5t": "Qm9keGZha2V4NXRwcmludA",
         "x5t#S256": "ZmFrZS14NXQtczI1Ni10aHVtYnByaW50LWZvci10ZXN0"},
    ]},
    "auth0.json": {"keys": [
        {"kty": "RSA", "use": "sig", "n": other_n, "e": "AQAB", "kid": "auth0-previous",
         "x5t": "b3RoZXJ4NXQ", "x5c": [cert], "alg": "RS256"},
        {"kty": "RSA", "use": "sig", "n": n, "e": e, "kid": "auth0-current",
         "x5t": "Y3VycmVudHg1dA", "x5c": [cert], "alg": "RS256"},
    ]},
    "azure_ad.json": {"keys": [
        {"kty": "RSA", "use": "sig", "kid": "azure-current", "x5t": "azure-current", "n": n,
         "e": e, "x5c": [cert],
         "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"},
        {"kty": "RSA", "use": "sig", "kid": "azure-next", "x5t": "azure-next", "n": other_n,
         "e": "AQAB", "x5c": [cert],
         "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"},
        {"kty": "EC", "use": "sig", "kid": "azure-ec", "crv": "P-256", "x": x, "y": y},
    ]},
}
for name, doc in sets.items():
    (here / name).write_text(json.dumps(doc, indent=2) + "\n")
