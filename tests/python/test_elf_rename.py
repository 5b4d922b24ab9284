"""scripts/elf_rename.py: copies of two libraries that share sonames with
the system's (the system OpenSSL's libssl.so.3 and libcrypto.so.3 here, as a
developer's OpenSSL build would) get sonames of their own, libssl's copy
needs libcrypto's copy, the symbol versions follow, the RUNPATH is gone,
and the copies load beside the originals.
"""
import ctypes
import glob
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "elf_rename.py")


def system_openssl():
    for libdir in sorted(glob.glob("/usr/lib/*-linux-gnu")) + ["/usr/lib64", "/usr/lib"]:
        ssl, crypto = (os.path.join(libdir, n) for n in ("libssl.so.3", "libcrypto.so.3"))
        if os.path.exists(ssl) and os.path.exists(crypto):
            return os.path.realpath(ssl), os.path.realpath(crypto)
    return None


def rename(*args):
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True)


def dynamic(path):
    out = subprocess.run(["readelf", "-d", "-V", path], capture_output=True, text=True,
                         check=True).stdout
    return {
        "soname": re.findall(r"\(SONAME\)\s+Library soname: \[(.*)\]", out),
        "needed": re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", out),
        "paths": re.findall(r"\((?:RUNPATH|RPATH)\)", out),
        "version_files": re.findall(r"File: (\S+)", out),
    }


needs_tools = pytest.mark.skipif(system_openssl() is None or shutil.which("readelf") is None,
                                 reason="needs the system OpenSSL 3 (libssl-dev) and readelf")


@needs_tools
def test_copies_get_sonames_of_their_own(tmp_path):
    ssl, crypto = system_openssl()
    res = rename("--name", "openssl-patch", "--out", str(tmp_path), ssl, crypto)
    assert res.returncode == 0, res.stderr
    ssl_copy, crypto_copy = res.stdout.split()
    assert os.path.dirname(ssl_copy) == str(tmp_path)

    ssl_info, crypto_info = dynamic(ssl_copy), dynamic(crypto_copy)
    ssl_name, crypto_name = os.path.basename(ssl_copy), os.path.basename(crypto_copy)
    assert ssl_info["soname"] == [ssl_name]
    assert crypto_info["soname"] == [crypto_name]
    # No longer than the old names (edited in place), and not them.
    assert ssl_name.startswith("libssl.") and len(ssl_name) <= len("libssl.so.3")
    assert crypto_name.startswith("libcrypto.") and len(crypto_name) <= len("libcrypto.so.3")
    assert "libcrypto.so.3" not in ssl_info["needed"]
    assert crypto_name in ssl_info["needed"]
    assert "libc.so.6" in ssl_info["needed"]  # the rest as it was
    # libssl's versioned references to libcrypto name the copy too.
    assert crypto_name in ssl_info["version_files"]
    assert "libcrypto.so.3" not in ssl_info["version_files"]
    assert ssl_info["paths"] == [] and crypto_info["paths"] == []
    # The originals are untouched.
    assert dynamic(ssl)["soname"] == ["libssl.so.3"]


@needs_tools
def test_copies_load_beside_the_originals(tmp_path):
    ssl, crypto = system_openssl()
    res = rename("--name", "side-by-side", "--out", str(tmp_path), ssl, crypto)
    assert res.returncode == 0, res.stderr
    ssl_copy, crypto_copy = res.stdout.split()
    original = ctypes.CDLL(crypto, mode=os.RTLD_LOCAL)
    copy = ctypes.CDLL(crypto_copy, mode=os.RTLD_LOCAL)
    ssl_lib = ctypes.CDLL(ssl_copy, mode=os.RTLD_LOCAL)
    # Two objects, not one found twice under its soname.
    assert ctypes.cast(copy.OpenSSL_version_num, ctypes.c_void_p).value != \
        ctypes.cast(original.OpenSSL_version_num, ctypes.c_void_p).value
    copy.OpenSSL_version_num.restype = ctypes.c_ulong
    assert copy.OpenSSL_version_num() >> 28 == 3
    assert ssl_lib.OPENSSL_init_ssl


@needs_tools
def test_names_follow_the_backend_name_and_dry_run_writes_nothing(tmp_path):
    ssl, crypto = system_openssl()
    a = rename("--dry-run", "--name", "a", "--out", str(tmp_path), ssl, crypto)
    again = rename("--dry-run", "--name", "a", "--out", str(tmp_path), ssl, crypto)
    b = rename("--dry-run", "--name", "b", "--out", str(tmp_path), ssl, crypto)
    assert a.returncode == 0 and b.returncode == 0
    assert a.stdout == again.stdout
    assert a.stdout != b.stdout
    assert os.listdir(tmp_path) == []


def test_a_file_that_is_not_a_shared_library_is_one_line(tmp_path):
    bogus = tmp_path / "libnot.so.1"
    bogus.write_text("not an ELF file\n")
    res = rename("--name", "x", "--out", str(tmp_path / "out"), str(bogus))
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1
    assert res.stderr.startswith("elf_rename: error: ") and "not an ELF64" in res.stderr
    assert not (tmp_path / "out").exists()
