# The sources every libcrypto plugin (openssl, boringssl) compiles, whatever
# the library; each plugin adds its own compat_LIBRARY.cc (see compat.h).
# Included from a plugin's directory, so paths are relative to it.
set(HSBENCH_LIBCRYPTO_BACKEND_SOURCES
  ../common/libcrypto_backend.cc
  ../common/hash_kdf.cc
  ../common/aead.cc
  ../common/key_share.cc
  ../common/keys.cc
  ../common/x509.cc
  ../common/libssl_native.cc
  ../common/util.cc)
