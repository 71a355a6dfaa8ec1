"""Writes rsa2049.pkcs8.der: an RSA key whose modulus has exactly 2049 bits (run once; the
output is committed). OpenSSL rounds such sizes down, so the primes are drawn here, each of
1025 bits below sqrt(2) * 2^1024, and the key is encoded by Python `cryptography`.

At 2049 bits jwt-core verifies with the `rsa` crate's arithmetic instead of its fixed-size
one, and PSS's encoded message is one byte shorter than the modulus (RFC 8017 9.1.2).
"""
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import rsa

E = 65537


def probably_prime(n, rounds=64):
    if n % 2 == 0:
        return False
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def prime():
    low, high = 1 << 1024, (1 << 1024) * 1414 // 1000
    while True:
        p = (low + secrets.randbelow(high - low)) | 1
        if (p - 1) % E and probably_prime(p):
            return p


while True:
    p, q = prime(), prime()
    n = p * q
    if p != q and n.bit_length() == 2049:
        break
d = pow(E, -1, (p - 1) * (q - 1))
numbers = rsa.RSAPrivateNumbers(
    p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), rsa.RSAPublicNumbers(E, n)
)
key = numbers.private_key()
der = key.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption())
(Path(__file__).parent / "rsa2049.pkcs8.der").write_bytes(der)
print(key.key_size, "bits")
