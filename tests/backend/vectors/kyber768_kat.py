#!/usr/bin/env python3
"""Derives the inputs of Kyber768's known answers from the round-3 KAT.

The round-3 submission's KAT (PQCkemKAT_2400.rsp, count = 0) gives a 48-byte
seed for the NIST AES-256 CTR_DRBG of its randombytes(), and the pk, ct and
ss that follow. Kyber's keypair draws d (32 bytes) then z (32 bytes), its
encapsulation 32 bytes that it hashes with SHA3-256 into m. BoringSSL's
deterministic forms take d || z and m, so this script runs the DRBG on the
published seed, prints d || z and m, and writes them beside the published
values in kyber768-kat0.txt (or, with --check, checks that file).
"""

import argparse
import hashlib
import pathlib
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HERE = pathlib.Path(__file__).resolve().parent
FILE = HERE / "kyber768-kat0.txt"


class CtrDrbg:
    """AES-256 CTR_DRBG without a derivation function (NIST SP 800-90A
    10.2.1), as the NIST KAT's rng.c runs it."""

    def __init__(self, seed: bytes):
        assert len(seed) == 48
        self.key = bytes(32)
        self.v = bytes(16)
        self._update(seed)

    def _block(self) -> bytes:
        self.v = ((int.from_bytes(self.v, "big") + 1) % (1 << 128)).to_bytes(16, "big")
        enc = Cipher(algorithms.AES(self.key), modes.ECB()).encryptor()
        return enc.update(self.v) + enc.finalize()

    def _update(self, provided: bytes = None):
        temp = b"".join(self._block() for _ in range(3))
        if provided is not None:
            temp = bytes(a ^ b for a, b in zip(temp, provided))
        self.key, self.v = temp[:32], temp[32:]

    def generate(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            out += self._block()
        self._update()
        return out[:n]


def read(path):
    values = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = (x.strip() for x in line.split("=", 1))
            values[k] = v
    return values


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    v = read(FILE)
    drbg = CtrDrbg(bytes.fromhex(v["seed"]))
    d = drbg.generate(32)
    z = drbg.generate(32)
    m = hashlib.sha3_256(drbg.generate(32)).digest()
    derived = {"keygen_entropy": (d + z).hex().upper(), "encap_entropy": m.hex().upper()}
    bad = [k for k, x in derived.items() if v.get(k) != x]
    if args.check:
        if bad:
            sys.exit(f"{FILE.name}: {', '.join(bad)} differ from the DRBG's")
        print(f"{FILE.name}: ok")
        return
    lines = [l for l in FILE.read_text().splitlines()
             if l.split("=", 1)[0].strip() not in derived]
    lines += [f"{k} = {x}" for k, x in derived.items()]
    FILE.write_text("\n".join(lines) + "\n")
    print(f"{FILE.name}: wrote {', '.join(derived)}")


if __name__ == "__main__":
    main()
