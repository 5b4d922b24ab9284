#!/usr/bin/env python3
"""Makes and checks the key material the backend known-answer tests read.

Everything here is made with the openssl command-line tool from published
keys (RFC 8032 section 7.1, RFC 6979 appendix A.2.5/A.2.6, Wycheproof) or
from a fixed RSA key generated once, and is then checked independently with
python3's `cryptography` package against the published values. The test
sources carry the published signatures; this directory carries keys and
certificates wrapping the published public keys, because the backend
interface only takes public keys from certificates.

Run from anywhere: `python3 make_vectors.py` makes the files that are missing
(an existing file is never regenerated, so committed RSA material stays
fixed) and then checks all of them; `--check` only checks.
"""

import argparse
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
DAYS = "36500"  # about a century: these certificates are never chain-verified

# RFC 8032, section 7.1: TEST 1, 2 and 3 (secret key, public key).
ED25519 = {
    "rfc8032-test1": ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
    "rfc8032-test2": ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                      "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"),
    "rfc8032-test3": ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
                      "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025"),
}

# RFC 6979, appendix A.2.5 (P-256) and A.2.6 (P-384): private key x, public Ux, Uy.
ECDSA = {
    "rfc6979-p256": (
        "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
        "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
        "06082a8648ce3d030107"),  # OID prime256v1
    "rfc6979-p384": (
        "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d8"
        "96d5724e4c70a825f872c9ea60d2edf5",
        "ec3a4e415b4e19a4568618029f427fa5da9a8bc4ae92e02e06aae5286b300c64"
        "def8f0ea9055866064a254515480bc13",
        "8015d9b72d7d57244ea8ef9ac0c621896708a59367f9dfb9f54ca84b3f1c9db1"
        "288b231c3ae0d4fe7344fd2533264720",
        "06052b81040022"),  # OID secp384r1
}

# Wycheproof testvectors/rsa_signature_2048_sha256_test.json and
# rsa_pss_2048_sha256_mgf1_32_test.json share this key (keyDer).
WYCHEPROOF_RSA2048_SPKI = (
    "30820122300d06092a864886f70d01010105000382010f003082010a0282010100a2b451a07d0aa5f96e4556"
    "71513550514a8a5b462ebef717094fa1fee82224e637f9746d3f7cafd31878d80325b6ef5a1700f65903b469"
    "429e89d6eac8845097b5ab393189db92512ed8a7711a1253facd20f79c15e8247f3d3e42e46e48c98e254a2f"
    "e9765313a03eff8f17e1a029397a1fa26a8dce26f490ed81299615d9814c22da610428e09c7d9658594266f5"
    "c021d0fceca08d945a12be82de4d1ece6b4c03145b5d3495d4ed5411eb878daf05fd7afc3e09ada0f1126422"
    "f590975a1969816f48698bcbba1b4d9cae79d460d8f9f85e7975005d9bc22c4e5ac0f7c1a45d12569a62807d"
    "3b9a02e5a530e773066f453d1f5b4c2e9cf7820283f742b9d50203010001")

KAT_MESSAGE = b"hsbench backend known-answer test message\n"
# A TLS 1.2 PreMasterSecret (RFC 5246 section 7.4.7.1): version 3,3 then 46 bytes.
KAT_PREMASTER = bytes([3, 3]) + bytes(range(0x10, 0x10 + 46))


def openssl(*args, stdin=None):
    subprocess.run(["openssl", *args], check=True, input=stdin, capture_output=True)


def der_len(n):
    return bytes([n]) if n < 0x80 else bytes([0x81, n])


def make_missing():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for name, (seed, _) in ED25519.items():
            key, cert = HERE / f"{name}.key.pem", HERE / f"{name}.cert.pem"
            if not key.exists():
                # PKCS#8 OneAsymmetricKey for Ed25519 (RFC 8410 section 7).
                der = bytes.fromhex("302e020100300506032b657004220420" + seed)
                (tmp / "k.der").write_bytes(der)
                openssl("pkey", "-inform", "DER", "-in", str(tmp / "k.der"), "-out", str(key))
            if not cert.exists():
                openssl("x509", "-new", "-key", str(key), "-subj", f"/CN={name}",
                        "-days", DAYS, "-out", str(cert))
        for name, (x, _, _, oid) in ECDSA.items():
            key, cert = HERE / f"{name}.key.pem", HERE / f"{name}.cert.pem"
            sec1 = HERE / f"{name}.sec1.pem"
            if not sec1.exists():
                # ECPrivateKey (RFC 5915) without the public key; openssl derives it.
                scalar = bytes.fromhex(x)
                body = (bytes.fromhex("020101") + b"\x04" + der_len(len(scalar)) + scalar +
                        b"\xa0" + der_len(len(oid) // 2) + bytes.fromhex(oid))
                (tmp / "k.der").write_bytes(b"\x30" + der_len(len(body)) + body)
                openssl("ec", "-inform", "DER", "-in", str(tmp / "k.der"), "-out", str(sec1))
            if not key.exists():
                openssl("pkcs8", "-topk8", "-nocrypt", "-in", str(sec1), "-out", str(key))
            if not cert.exists():
                openssl("x509", "-new", "-key", str(key), "-subj", f"/CN={name}",
                        "-days", DAYS, "-out", str(cert))
        p256 = HERE / "rfc6979-p256.sec1.pem"
        if not (HERE / "rfc6979-p256.sec1.der").exists():
            openssl("ec", "-in", str(p256), "-outform", "DER",
                    "-out", str(HERE / "rfc6979-p256.sec1.der"))
        if not (HERE / "rfc6979-p256.with-params.pem").exists():
            # As `openssl ecparam -genkey` writes a key: EC PARAMETERS first.
            openssl("ecparam", "-name", "prime256v1", "-out", str(tmp / "params.pem"))
            (HERE / "rfc6979-p256.with-params.pem").write_bytes(
                (tmp / "params.pem").read_bytes() + p256.read_bytes())
        rsa = HERE / "kat-rsa2048.key.pem"
        if not rsa.exists():
            openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", str(rsa))
        if not (HERE / "kat-rsa2048.key.der").exists():
            openssl("pkey", "-in", str(rsa), "-outform", "DER",
                    "-out", str(HERE / "kat-rsa2048.key.der"))
        if not (HERE / "kat-rsa2048.traditional.pem").exists():
            openssl("rsa", "-traditional", "-in", str(rsa),
                    "-out", str(HERE / "kat-rsa2048.traditional.pem"))
        if not (HERE / "kat-rsa2048.traditional.der").exists():
            openssl("rsa", "-traditional", "-in", str(rsa), "-outform", "DER",
                    "-out", str(HERE / "kat-rsa2048.traditional.der"))
        if not (HERE / "kat-rsa2048.encrypted.pem").exists():
            # A passphrase-protected PKCS#8 key: backends must refuse it, never prompt.
            openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", "pass:hsbench",
                    "-in", str(rsa), "-out", str(HERE / "kat-rsa2048.encrypted.pem"))
        if not (HERE / "kat-rsa2048.cert.pem").exists():
            openssl("x509", "-new", "-key", str(rsa), "-subj", "/CN=kat-rsa2048",
                    "-days", DAYS, "-sha256", "-out", str(HERE / "kat-rsa2048.cert.pem"))
        if not (HERE / "kat-rsa2048.cert-and-key.pem").exists():
            # A server's combined file: the certificate, then the key.
            (HERE / "kat-rsa2048.cert-and-key.pem").write_bytes(
                (HERE / "kat-rsa2048.cert.pem").read_bytes() + rsa.read_bytes())
        msg = HERE / "kat-message.txt"
        if not msg.exists():
            msg.write_bytes(KAT_MESSAGE)
        for hash_name in ("sha256", "sha384"):
            sig = HERE / f"kat-rsa2048.pkcs1-{hash_name}.sig"
            if not sig.exists():
                openssl("dgst", f"-{hash_name}", "-sign", str(rsa), "-out", str(sig), str(msg))
            sig = HERE / f"kat-rsa2048.pss-{hash_name}.sig"
            if not sig.exists():
                # RFC 8446 section 4.2.3: salt as long as the digest, MGF1 with the same hash.
                openssl("dgst", f"-{hash_name}", "-sign", str(rsa),
                        "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest",
                        "-sigopt", f"rsa_mgf1_md:{hash_name}", "-out", str(sig), str(msg))
        premaster = HERE / "kat-rsa2048.premaster.bin"
        if not premaster.exists():
            premaster.write_bytes(KAT_PREMASTER)
        enc = HERE / "kat-rsa2048.premaster.enc"
        if not enc.exists():
            openssl("pkeyutl", "-encrypt", "-certin", "-inkey", str(HERE / "kat-rsa2048.cert.pem"),
                    "-pkeyopt", "rsa_padding_mode:pkcs1", "-in", str(premaster), "-out", str(enc))
        wy = HERE / "wycheproof-rsa2048.cert.pem"
        if not wy.exists():
            (tmp / "pub.der").write_bytes(bytes.fromhex(WYCHEPROOF_RSA2048_SPKI))
            openssl("pkey", "-pubin", "-inform", "DER", "-in", str(tmp / "pub.der"),
                    "-out", str(tmp / "pub.pem"))
            # Subject and issuer are the same name; the certificate is signed by
            # the kat-rsa2048 key, whose private half Wycheproof does not publish.
            openssl("x509", "-new", "-force_pubkey", str(tmp / "pub.pem"), "-key", str(rsa),
                    "-subj", "/CN=wycheproof-rsa2048", "-days", DAYS, "-sha256",
                    "-out", str(wy))


def check():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding

    raw = serialization.Encoding.Raw
    def load_cert(name):
        return x509.load_pem_x509_certificate((HERE / f"{name}.cert.pem").read_bytes())
    def load_key(path):
        data = path.read_bytes()
        if path.suffix == ".der":
            return serialization.load_der_private_key(data, None)
        return serialization.load_pem_private_key(data, None)

    for name, (seed, pub) in ED25519.items():
        key = load_key(HERE / f"{name}.key.pem")
        assert key.private_bytes(raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption()).hex() == seed, name
        cert_pub = load_cert(name).public_key().public_bytes(raw, serialization.PublicFormat.Raw)
        assert cert_pub.hex() == pub, name
    for name, (x, ux, uy, _) in ECDSA.items():
        suffixes = ("key.pem", "sec1.pem")
        if name == "rfc6979-p256":
            suffixes += ("sec1.der", "with-params.pem")
        for suffix in suffixes:
            key = load_key(HERE / f"{name}.{suffix}")
            assert key.private_numbers().private_value == int(x, 16), name
        nums = load_cert(name).public_key().public_numbers()
        assert (nums.x, nums.y) == (int(ux, 16), int(uy, 16)), name
    rsa = load_key(HERE / "kat-rsa2048.key.pem")
    for other in ("kat-rsa2048.key.der", "kat-rsa2048.traditional.pem",
                  "kat-rsa2048.traditional.der", "kat-rsa2048.cert-and-key.pem"):
        assert load_key(HERE / other).private_numbers() == rsa.private_numbers(), other
    assert b"BEGIN RSA PRIVATE KEY" in (HERE / "kat-rsa2048.traditional.pem").read_bytes()
    assert b"BEGIN EC PARAMETERS" in (HERE / "rfc6979-p256.with-params.pem").read_bytes()
    encrypted = serialization.load_pem_private_key(
        (HERE / "kat-rsa2048.encrypted.pem").read_bytes(), b"hsbench")
    assert encrypted.private_numbers() == rsa.private_numbers()
    pub = load_cert("kat-rsa2048").public_key()
    assert pub.public_numbers() == rsa.public_key().public_numbers()
    msg = (HERE / "kat-message.txt").read_bytes()
    assert msg == KAT_MESSAGE
    for hash_name, hash_cls in (("sha256", hashes.SHA256), ("sha384", hashes.SHA384)):
        sig = (HERE / f"kat-rsa2048.pkcs1-{hash_name}.sig").read_bytes()
        pub.verify(sig, msg, padding.PKCS1v15(), hash_cls())
        assert rsa.sign(msg, padding.PKCS1v15(), hash_cls()) == sig  # deterministic
        sig = (HERE / f"kat-rsa2048.pss-{hash_name}.sig").read_bytes()
        pub.verify(sig, msg, padding.PSS(padding.MGF1(hash_cls()), hash_cls.digest_size),
                   hash_cls())
    premaster = (HERE / "kat-rsa2048.premaster.bin").read_bytes()
    assert premaster == KAT_PREMASTER
    enc = (HERE / "kat-rsa2048.premaster.enc").read_bytes()
    assert rsa.decrypt(enc, padding.PKCS1v15()) == premaster
    wy = load_cert("wycheproof-rsa2048").public_key()
    spki = wy.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    assert spki.hex() == WYCHEPROOF_RSA2048_SPKI
    print("all vector files check out")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, make nothing")
    args = parser.parse_args()
    if not args.check:
        make_missing()
    check()


if __name__ == "__main__":
    sys.exit(main())
