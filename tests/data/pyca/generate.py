"""Writes tokens.json: one key and one signed JWT per JWS algorithm, made with Python's
`cryptography` (pyca) and the standard library only, plus the bad variants a verifier must
refuse. Run once; the output is committed and read by tests/pyca_tokens.rs.

Keys and signatures are random (RSA-PSS salts, ECDSA nonces): rerunning changes every value,
which is fine because the tests read whatever this script wrote. The file records what each
variant is; the expected outcome of each is decided in the Rust test, not here.

Per algorithm (`keys[]`): the public JWK (`alg` and `kid` set; for HMAC the secret, which is
the key), a valid token, and `variants[]`, each `{kind, token, ...}`:
- `forged_payload`: the claims changed after signing (`sub`), signature kept;
- `wrong_key`: signed by another key of the same algorithm, same header and `kid`;
- `alg_confused`: the header names another algorithm (`header_alg`) and the token is signed
  for it with the same key material where the primitive allows (RS256 key as PS256, HS256
  secret as HS384, P-256 key with SHA-384 as ES384, ...);
- `hmac_with_public_key` (asymmetric keys): HS256 with the key's public PEM as the secret;
- `alg_none`: `{"alg":"none"}` and an empty signature;
- ES*: `der_signature` (the valid signature ASN.1 DER-encoded instead of `r||s`) and
  `high_s` (the valid signature with `s` replaced by `n - s`, still a valid ECDSA signature;
  the good token carries the low `s`);
- PS*: `salt_0`, `salt_max` (PSS with a salt length other than the hash length) and
  `mgf1_sha1` (salt length right, MGF1 over SHA-1).

`weak_keys[]`: keys under RFC 7518's minimums with a token each: RSA 1024 bits (RS256, PS256)
and HMAC secrets shorter than their hash (HS256: 16 bytes, HS384: 32, HS512: 48).

Needs Python 3 with `cryptography`.
"""
import base64
import json
import secrets
import time
from pathlib import Path

import cryptography
from cryptography.hazmat.backends.openssl.backend import backend
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

here = Path(__file__).parent

ISSUER = "https://pyca.example"
AUDIENCE = "jwt-core"
ISSUED_AT = int(time.time())
EXPIRES = 4_102_444_800  # 2100-01-01T00:00:00Z

HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
CURVES = {
    "ES256": (ec.SECP256R1, "P-256", hashes.SHA256),
    "ES384": (ec.SECP384R1, "P-384", hashes.SHA384),
    "ES512": (ec.SECP521R1, "P-521", hashes.SHA512),
    "ES256K": (ec.SECP256K1, "secp256k1", hashes.SHA256),
}
# Group orders (SEC 2), for the high-s variant; each is checked by pyca verifying `n - s`.
ORDERS = {
    "ES256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "ES384": int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
        "581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
    "ES512": int(
        "01FF" + "FFFFFFFF" * 7 + "FFFFFFFA"
        "51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
        16,
    ),
    "ES256K": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
}
# Another algorithm of the same family for the confusion variant, signed with the same key.
CONFUSED = {
    "HS256": "HS384",
    "HS384": "HS512",
    "HS512": "HS256",
    "RS256": "PS256",
    "RS384": "PS384",
    "RS512": "RS256",
    "PS256": "RS256",
    "PS384": "PS512",
    "PS512": "PS256",
    "ES256": "ES384",
    "ES384": "ES512",
    "ES512": "ES256",
    "ES256K": "ES256",
    # The newer fully specified name for Ed25519: not an algorithm jwt-core knows.
    "EdDSA": "Ed25519",
}
RSA_BITS = {"256": 2048, "384": 3072, "512": 4096}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def uint(value, size):
    return b64(value.to_bytes(size, "big"))


def compact(header, claims):
    return b64(json.dumps(header, separators=(",", ":")).encode()) + "." + b64(
        json.dumps(claims, separators=(",", ":")).encode()
    )


def claims_for(alg):
    return {
        "iss": ISSUER,
        "sub": f"pyca-{alg.lower()}",
        "aud": AUDIENCE,
        "exp": EXPIRES,
        "iat": ISSUED_AT,
    }


def header_for(alg, kid):
    return {"alg": alg, "typ": "JWT", "kid": kid}


def token(input_, signature):
    return input_ + "." + b64(signature)


def hmac_sign(secret, alg, message):
    mac = hmac.HMAC(secret, HASHES[alg[2:]]())
    mac.update(message)
    return mac.finalize()


def rsa_sign(key, alg, message, salt=None, mgf_hash=None):
    hash_ = HASHES[alg[2:]]()
    if alg.startswith("RS"):
        return key.sign(message, padding.PKCS1v15(), hash_)
    pss = padding.PSS(
        mgf=padding.MGF1(mgf_hash() if mgf_hash else HASHES[alg[2:]]()),
        salt_length=hash_.digest_size if salt is None else salt,
    )
    return key.sign(message, pss, hash_)


def ec_size(alg):
    return (CURVES[alg][0].key_size + 7) // 8


def ecdsa_rs(key, hash_, message):
    """(r, s) with s in the lower half of the group order (the form the good token carries)."""
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(hash_())))
    order = ORDERS[next(a for a, c in CURVES.items() if isinstance(key.curve, c[0]))]
    return r, min(s, order - s)


def ecdsa_raw(key, hash_, message):
    r, s = ecdsa_rs(key, hash_, message)
    size = (key.curve.key_size + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def public_pem(key):
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def new_key(alg):
    """A private key for `alg` and its public JWK (with `alg` and `kid`)."""
    kid = alg.lower()
    if alg.startswith("HS"):
        secret = secrets.token_bytes(int(alg[2:]) // 8)
        return secret, {"kty": "oct", "alg": alg, "kid": kid, "k": b64(secret)}
    if alg[:2] in ("RS", "PS"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS[alg[2:]])
        return key, rsa_jwk(key, alg, kid)
    if alg in CURVES:
        curve, crv, _ = CURVES[alg]
        key = ec.generate_private_key(curve())
        numbers = key.public_key().public_numbers()
        size = ec_size(alg)
        return key, {
            "kty": "EC",
            "alg": alg,
            "kid": kid,
            "crv": crv,
            "x": uint(numbers.x, size),
            "y": uint(numbers.y, size),
        }
    key = ed25519.Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return key, {"kty": "OKP", "alg": alg, "kid": kid, "crv": "Ed25519", "x": b64(raw)}


def rsa_jwk(key, alg, kid):
    numbers = key.public_key().public_numbers()
    size = (numbers.n.bit_length() + 7) // 8
    return {
        "kty": "RSA",
        "alg": alg,
        "kid": kid,
        "n": uint(numbers.n, size),
        "e": uint(numbers.e, (numbers.e.bit_length() + 7) // 8),
    }


def sign(key, alg, message):
    """The JWS signature of `message` for `alg` with `key` (raw `r||s` for ECDSA)."""
    if alg.startswith("HS"):
        return hmac_sign(key, alg, message)
    if alg[:2] in ("RS", "PS"):
        return rsa_sign(key, alg, message)
    if alg.startswith("ES"):
        return ecdsa_raw(key, CURVES[alg][2], message)
    return key.sign(message)


def confused_signature(key, alg, other, message):
    """`message` signed for algorithm `other` with the key material of `alg`."""
    if alg.startswith("HS"):
        return hmac_sign(key, other, message)
    if alg[:2] in ("RS", "PS"):
        return rsa_sign(key, other, message)
    if alg.startswith("ES"):
        return ecdsa_raw(key, CURVES[other][2], message)
    return key.sign(message)


def variants(alg, key, good_header, claims):
    kid = good_header["kid"]
    out = []

    forged = dict(claims, sub="someone-else")
    good_input = compact(good_header, claims)
    good_sig = sign(key, alg, good_input.encode())
    out.append({"kind": "forged_payload", "token": token(compact(good_header, forged), good_sig)})

    other_key, _ = new_key(alg)
    out.append({"kind": "wrong_key", "token": token(good_input, sign(other_key, alg, good_input.encode()))})

    other = CONFUSED[alg]
    confused_input = compact(header_for(other, kid), claims)
    out.append(
        {
            "kind": "alg_confused",
            "header_alg": other,
            "token": token(confused_input, confused_signature(key, alg, other, confused_input.encode())),
        }
    )

    if not alg.startswith("HS"):
        hs_input = compact(header_for("HS256", kid), claims)
        out.append(
            {
                "kind": "hmac_with_public_key",
                "token": token(hs_input, hmac_sign(public_pem(key), "HS256", hs_input.encode())),
            }
        )

    out.append({"kind": "alg_none", "token": compact({"alg": "none", "typ": "JWT", "kid": kid}, claims) + "."})

    if alg.startswith("ES"):
        hash_ = CURVES[alg][2]
        size = ec_size(alg)
        r, s = ecdsa_rs(key, hash_, good_input.encode())
        der = encode_dss_signature(r, s)
        assert len(der) != 2 * size, "a DER signature of the raw length would test nothing"
        out.append({"kind": "der_signature", "token": token(good_input, der)})
        high = ORDERS[alg] - s
        assert high > s
        raw_high = r.to_bytes(size, "big") + high.to_bytes(size, "big")
        # Still a valid ECDSA signature: pyca verifies it.
        key.public_key().verify(encode_dss_signature(r, high), good_input.encode(), ec.ECDSA(hash_()))
        out.append({"kind": "high_s", "token": token(good_input, raw_high)})

    if alg.startswith("PS"):
        message = good_input.encode()
        for kind, salt, mgf in (
            ("salt_0", 0, None),
            ("salt_max", padding.PSS.MAX_LENGTH, None),
            ("mgf1_sha1", None, hashes.SHA1),
        ):
            out.append({"kind": kind, "token": token(good_input, rsa_sign(key, alg, message, salt, mgf))})
    return out


def weak_keys():
    out = []
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    for alg in ("RS256", "PS256"):
        kid = f"{alg.lower()}-rsa1024"
        header = header_for(alg, kid)
        input_ = compact(header, claims_for(alg))
        out.append(
            {
                "kind": "rsa_1024",
                "alg": alg,
                "jwk": rsa_jwk(key, alg, kid),
                "token": token(input_, rsa_sign(key, alg, input_.encode())),
            }
        )
    for alg, length in (("HS256", 16), ("HS384", 32), ("HS512", 48)):
        secret = secrets.token_bytes(length)
        kid = f"{alg.lower()}-short"
        input_ = compact(header_for(alg, kid), claims_for(alg))
        out.append(
            {
                "kind": "hmac_short_secret",
                "alg": alg,
                "jwk": {"kty": "oct", "alg": alg, "kid": kid, "k": b64(secret)},
                "token": token(input_, hmac_sign(secret, alg, input_.encode())),
            }
        )
    return out


def main():
    keys = []
    for alg in CONFUSED:
        key, jwk = new_key(alg)
        header = header_for(alg, jwk["kid"])
        claims = claims_for(alg)
        input_ = compact(header, claims)
        keys.append(
            {
                "alg": alg,
                "jwk": jwk,
                "token": token(input_, sign(key, alg, input_.encode())),
                "variants": variants(alg, key, header, claims),
            }
        )
    out = {
        "about": "JWTs signed by pyca/cryptography for every JWS algorithm, with bad variants "
        "(written by generate.py; see its docstring)",
        "cryptography": cryptography.__version__,
        "openssl": backend.openssl_version_text(),
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "issued_at": ISSUED_AT,
        "expires": EXPIRES,
        "keys": keys,
        "weak_keys": weak_keys(),
    }
    (here / "tokens.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
