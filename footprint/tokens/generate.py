"""Writes the tokens the firmware binaries verify (run once; the outputs are committed).

Signed here with Python's `cryptography` and the standard library, not with jwt-core, so the
firmware also checks interoperability. Keys: the HS256 secret in src/lib.rs, the test keys
in ../../tests/data/keys/, and keys/ here for ES384 and EdDSA (made by the first run and
kept: the shared test keys have no P-384 private key and no Ed25519 key). Claims are valid
from 1,700,000,000 to 2,000,000,000 (Unix seconds); the firmware's fixed clock is
1,800,000,000.

Needs Python 3 with `cryptography`.
"""
import base64
import hashlib
import hmac
import json
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

here = Path(__file__).parent
keys = here.parent.parent / "tests" / "data" / "keys"
own_keys = here / "keys"
SECRET = b"jwt-core firmware footprint key!"
CLAIMS = {
    "iss": "https://auth.example.com",
    "sub": "device-0042",
    "aud": "https://fw.example.com",
    "exp": 2_000_000_000,
    "nbf": 1_700_000_000,
    "iat": 1_700_000_000,
    "scope": "firmware:update telemetry:write",
}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def signing_input(alg):
    # The member order jwt-core writes: alg, typ, kid.
    header = {"alg": alg, "typ": "JWT", "kid": "fw-2026"}
    compact = lambda obj: json.dumps(obj, separators=(",", ":")).encode()
    return b64(compact(header)) + b"." + b64(compact(CLAIMS))


def write(alg, signature, message):
    (here / f"{alg.lower()}.jwt").write_bytes(message + b"." + b64(signature))


def private_key(name):
    return serialization.load_der_private_key((keys / name).read_bytes(), password=None)


msg = signing_input("HS256")
write("HS256", hmac.new(SECRET, msg, hashlib.sha256).digest(), msg)

msg = signing_input("ES256")
r, s = decode_dss_signature(private_key("p256.pkcs8.der").sign(msg, ec.ECDSA(hashes.SHA256())))
write("ES256", r.to_bytes(32, "big") + s.to_bytes(32, "big"), msg)

# What es256-sign must produce: ES256 is deterministic (RFC 6979), so the token jwt-core
# signs on the device is known in advance, byte for byte.
msg = signing_input("ES256")
det = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
r, s = decode_dss_signature(private_key("p256.pkcs8.der").sign(msg, det))
(here / "es256-deterministic.jwt").write_bytes(msg + b"." + b64(r.to_bytes(32, "big") + s.to_bytes(32, "big")))

msg = signing_input("RS256")
write("RS256", private_key("rsa2048.pkcs8.der").sign(msg, padding.PKCS1v15(), hashes.SHA256()), msg)

# The keys of this folder's own images, made once: rerunning signs with the same keys.
own_keys.mkdir(exist_ok=True)
der, nopw = serialization.Encoding.DER, serialization.NoEncryption()
if not (own_keys / "p384.pkcs8.der").exists():
    p384 = ec.generate_private_key(ec.SECP384R1())
    pkcs8 = serialization.PrivateFormat.PKCS8
    (own_keys / "p384.pkcs8.der").write_bytes(p384.private_bytes(der, pkcs8, nopw))
    point = (serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    (own_keys / "p384.pub.sec1").write_bytes(p384.public_key().public_bytes(*point))
if not (own_keys / "ed25519.seed").exists():
    ed_key = ed25519.Ed25519PrivateKey.generate()
    raw = (serialization.Encoding.Raw, serialization.PrivateFormat.Raw, nopw)
    (own_keys / "ed25519.seed").write_bytes(ed_key.private_bytes(*raw))
    public = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    (own_keys / "ed25519.pub").write_bytes(ed_key.public_key().public_bytes(*public))

msg = signing_input("ES384")
p384 = serialization.load_der_private_key((own_keys / "p384.pkcs8.der").read_bytes(), password=None)
r, s = decode_dss_signature(p384.sign(msg, ec.ECDSA(hashes.SHA384())))
write("ES384", r.to_bytes(48, "big") + s.to_bytes(48, "big"), msg)

# Ed25519 signatures are deterministic (RFC 8032): this token is the same on every run.
msg = signing_input("EdDSA")
ed_key = ed25519.Ed25519PrivateKey.from_private_bytes((own_keys / "ed25519.seed").read_bytes())
write("EdDSA", ed_key.sign(msg), msg)
