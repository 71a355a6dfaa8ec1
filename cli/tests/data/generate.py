"""Writes the key files of the CLI tests (run once; the outputs are committed). Needs Python 3
with `cryptography`. Every output is a function of fixed input, so rerunning writes the same
bytes:

- `rsa2048.private.jwk`: jwt-core's test key `tests/data/keys/rsa2048.pkcs8.der` as a private
  JWK (RFC 7518 section 6.3.2), for `jwt sign` with every RS* and PS* algorithm;
- `{p384,p521,secp256k1,ed25519}.pub.pem`: SubjectPublicKeyInfo PEM of the private keys
  whose scalars and seed `tests/cli.rs` uses (each byte 0x22, 0x01, 0x44, 0x55), as OpenSSL
  writes them, for `jwt verify` with a PEM key of each curve.
"""
import base64
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

here = Path(__file__).parent
keys = here / "../../../tests/data/keys"


def b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


rsa = s.load_der_private_key((keys / "rsa2048.pkcs8.der").read_bytes(), password=None)
numbers = rsa.private_numbers()
jwk = {
    "kty": "RSA",
    "n": b64(numbers.public_numbers.n),
    "e": b64(numbers.public_numbers.e),
    "d": b64(numbers.d),
    "p": b64(numbers.p),
    "q": b64(numbers.q),
    "dp": b64(numbers.dmp1),
    "dq": b64(numbers.dmq1),
    "qi": b64(numbers.iqmp),
}
(here / "rsa2048.private.jwk").write_text(json.dumps(jwk, indent=1) + "\n")

spki = (s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)
for name, curve, byte, size in [
    ("p384", ec.SECP384R1(), 0x22, 48),
    ("p521", ec.SECP521R1(), 0x01, 66),
    ("secp256k1", ec.SECP256K1(), 0x44, 32),
]:
    key = ec.derive_private_key(int.from_bytes(bytes([byte]) * size, "big"), curve)
    (here / f"{name}.pub.pem").write_bytes(key.public_key().public_bytes(*spki))
ed = ed25519.Ed25519PrivateKey.from_private_bytes(bytes([0x55]) * 32)
(here / "ed25519.pub.pem").write_bytes(ed.public_key().public_bytes(*spki))
