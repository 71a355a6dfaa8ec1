"""Regenerates the test keys in this folder (run once; the outputs are committed).

Needs Python 3 with `cryptography`. Keys are random: rerunning changes every file, which is
fine because no test hard-codes a signature made with them.
"""
from pathlib import Path

from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import ec, rsa

here = Path(__file__).parent
der, raw = s.Encoding.DER, s.Encoding.X962


def write(name, data):
    (here / name).write_bytes(data)


def rsa_key(bits, name, e=65537):
    key = rsa.generate_private_key(public_exponent=e, key_size=bits)
    nopw = s.NoEncryption()
    write(f"{name}.pkcs1.der", key.private_bytes(der, s.PrivateFormat.TraditionalOpenSSL, nopw))
    write(f"{name}.pkcs8.der", key.private_bytes(der, s.PrivateFormat.PKCS8, nopw))
    pub = key.public_key()
    write(f"{name}.pub.pkcs1.der", pub.public_bytes(der, s.PublicFormat.PKCS1))
    write(f"{name}.pub.spki.der", pub.public_bytes(der, s.PublicFormat.SubjectPublicKeyInfo))


rsa_key(2048, "rsa2048")
rsa_key(1024, "rsa1024")

ec_key = ec.generate_private_key(ec.SECP256R1())
write("p256.pkcs8.der", ec_key.private_bytes(der, s.PrivateFormat.PKCS8, s.NoEncryption()))
write("p256.scalar", ec_key.private_numbers().private_value.to_bytes(32, "big"))
write("p256.pub.sec1", ec_key.public_key().public_bytes(raw, s.PublicFormat.UncompressedPoint))
write("p256.pub.spki.der", ec_key.public_key().public_bytes(der, s.PublicFormat.SubjectPublicKeyInfo))
p384 = ec.generate_private_key(ec.SECP384R1())
write("p384.pub.sec1", p384.public_key().public_bytes(raw, s.PublicFormat.UncompressedPoint))
