// Helpers shared by the backend tests: hex, files, the backends built into
// this tree, and loading each of them once per test process.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "backend/pem.h"
#include "hsbench/algorithms.h"
#include "hsbench/backend.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/registry.h"

namespace hsbench {
// Parameter names in test listings and failure messages.
inline void PrintTo(Hash h, std::ostream* os) { *os << name(h); }
inline void PrintTo(Aead a, std::ostream* os) { *os << name(a); }
inline void PrintTo(Group g, std::ostream* os) { *os << name(g); }
inline void PrintTo(SignatureScheme s, std::ostream* os) { *os << name(s); }
}  // namespace hsbench

namespace hsbench::test {

// Hex to bytes; whitespace is skipped so long vectors can be split. A bad
// digit is a broken test table, reported as a test failure.
inline Bytes from_hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  int high = -1;
  for (char c : hex) {
    if (c == ' ' || c == '\n') continue;
    int v = nibble(c);
    if (v < 0) {
      ADD_FAILURE() << "bad hex digit '" << c << "' in test vector";
      return {};
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) ADD_FAILURE() << "odd number of hex digits in test vector";
  return out;
}

inline std::string to_hex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

inline Bytes to_bytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

inline Bytes concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Comparing hex strings makes a failure message readable.
#define EXPECT_BYTES_EQ(expected, actual) \
  EXPECT_EQ(::hsbench::test::to_hex(expected), ::hsbench::test::to_hex(actual))

// The plugins this tree built, by NAME (hsbench-backend-NAME.so), real or
// not: what the plugin search must find. HSBENCH_BUILT_PLUGINS is their
// targets, comma-separated.
inline std::vector<std::string> plugins_built() {
  std::vector<std::string> names;
  std::string_view list = HSBENCH_BUILT_PLUGINS;
  while (!list.empty()) {
    size_t end = list.find(',');
    std::string_view target = list.substr(0, end);
    constexpr std::string_view kPrefix = "hsbench-backend-";
    if (target.starts_with(kPrefix)) names.emplace_back(target.substr(kPrefix.size()));
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
  }
  return names;
}

// The real (cryptographic) backends among the plugins this tree built, in
// list order (registry.h), then every one of those plugins that does not
// load, so that its tests fail rather than vanish. Plugins a test puts on
// HSBENCH_BACKEND_PATH are not among them. The registry is kept for the
// process's life.
inline std::vector<std::string> built_backends() {
  static const std::vector<std::string> names = [] {
    static const BackendRegistry* registry = new BackendRegistry(BackendRegistry::discover());
    const std::vector<std::string> built = plugins_built();
    auto is_built = [&built](std::string_view name) {
      return std::find(built.begin(), built.end(), name) != built.end();
    };
    std::vector<std::string> out;
    for (const auto& b : registry->backends()) {
      if (b->backend().real_crypto() && is_built(b->backend().name())) {
        out.emplace_back(b->backend().name());
      }
    }
    for (const PluginFailure& f : registry->failures()) {
      if (is_built(f.name)) out.push_back(f.name);
    }
    return out;
  }();
  return names;
}

// The kind of a plugin built from another plugin's sources against a library
// in another prefix (backends/extra.cmake: boringssl-a13 is a boringssl), or
// "" for the system plugins. HSBENCH_EXTRA_BACKEND_KINDS is NAME=KIND,...
inline std::string extra_backend_kind(std::string_view name) {
  std::string_view list = HSBENCH_EXTRA_BACKEND_KINDS;
  while (!list.empty()) {
    size_t end = list.find(',');
    std::string_view entry = list.substr(0, end);
    size_t eq = entry.find('=');
    if (eq != std::string_view::npos && entry.substr(0, eq) == name) {
      return std::string(entry.substr(eq + 1));
    }
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
  }
  return {};
}

// Whether the tests over pairs of backends (cross-backend, interop) pair a
// with b. Every two system plugins are paired; a plugin built from another's
// sources only with the plugins of its own kind. Its code is that kind's,
// already paired with every other library through the system plugin, and
// its own library's primitives are pinned by the known answers: what it
// adds is this version against the other one. (Pairing it with everything
// too would grow the whole suite by a third for each such plugin.)
inline bool backends_paired(std::string_view a, std::string_view b) {
  const std::string kind_a = extra_backend_kind(a);
  const std::string kind_b = extra_backend_kind(b);
  if (kind_a.empty() && kind_b.empty()) return true;
  return (kind_a.empty() ? std::string(a) : kind_a) == (kind_b.empty() ? std::string(b) : kind_b);
}

// Every ordered pair of distinct real backends that backends_paired(), for
// the cross-backend tests.
inline std::vector<std::pair<std::string, std::string>> backend_pairs() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& a : built_backends()) {
    for (const std::string& b : built_backends()) {
      if (a != b && backends_paired(a, b)) out.emplace_back(a, b);
    }
  }
  return out;
}

inline bool both_real_backends_built() { return HSBENCH_HAVE_OPENSSL && HSBENCH_HAVE_BORINGSSL; }

// Loads a backend once per process and keeps it for the process's life, so
// that keys and contexts made in one test never outlive their plugin.
// nullptr and a reason in out_error when it does not load.
inline Backend* shared_backend(const std::string& name, std::string* out_error) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<LoadedBackend>> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = loaded.find(name);
  if (it == loaded.end()) {
    std::unique_ptr<LoadedBackend> backend = load_backend(name, out_error);
    if (backend == nullptr) return nullptr;
    it = loaded.emplace(name, std::move(backend)).first;
  }
  return &it->second->backend();
}

// Sets (or, with nullopt, unsets) an environment variable for one scope,
// and puts back what was there before.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value) {
      setenv(name, value->c_str(), 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// The known-answer files beside this header.
inline std::string vector_path(std::string_view file) {
  return std::string(HSBENCH_SOURCE_DIR) + "/tests/backend/vectors/" + std::string(file);
}

inline Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline Bytes read_vector(std::string_view file) { return read_file(vector_path(file)); }

// The PKI shipped in pki/, of one of default_pki_kinds().
inline std::unique_ptr<Pki> read_default_pki(const std::string& kind) {
  std::string error;
  auto pki = read_pki(kind, default_pki_files(default_pki_dir(), kind), &error);
  if (pki == nullptr) ADD_FAILURE() << "cannot read the " << kind << " test PKI: " << error;
  return pki;
}

// A PKI of pki/ read once per process and kept for its life, for tests
// that prepare credentials from it in many places. Throws when it does not
// read, so a test that needs it fails with the reason.
inline const Pki& shared_pki(const std::string& kind) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Pki>> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = loaded[kind];
  if (!slot) {
    std::string error;
    slot = read_pki(kind, default_pki_files(default_pki_dir(), kind), &error);
    if (!slot) throw std::runtime_error(error);
  }
  return *slot;
}

// SHA-256("abc"), FIPS 180-2 appendix B.1: proof that a loaded backend
// computes with its own library.
inline void expect_sha256_abc(Backend& backend) {
  auto ctx = backend.new_hash(Hash::sha256);
  ASSERT_NE(ctx, nullptr) << backend.name();
  ctx->update(to_bytes("abc"));
  Bytes digest(32);
  ctx->current_digest(digest);
  EXPECT_EQ(to_hex(digest), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
      << backend.name();
}

// The certificates in a PEM file of the vectors directory, as DER.
inline std::vector<Bytes> read_vector_certificates(std::string_view file) {
  Bytes pem = read_vector(file);
  std::vector<PemBlock> blocks;
  std::string error;
  if (!decode_pem(std::string_view(reinterpret_cast<const char*>(pem.data()), pem.size()), &blocks,
                  &error)) {
    ADD_FAILURE() << "cannot decode " << file << ": " << error;
    return {};
  }
  std::vector<Bytes> certs;
  for (auto& block : blocks) {
    if (block.label == "CERTIFICATE") certs.push_back(std::move(block.der));
  }
  if (certs.empty()) ADD_FAILURE() << file << " holds no certificate";
  return certs;
}

// A certificate's public key, parsed by backend, with the chain it came
// from kept beside it.
struct CertificateKey {
  std::unique_ptr<CertificateChain> chain;
  std::unique_ptr<PublicKey> key;
};

inline CertificateKey certificate_key(Backend& backend, std::string_view cert_file) {
  std::vector<Bytes> certs = read_vector_certificates(cert_file);
  std::vector<ByteView> der(certs.begin(), certs.end());
  CertificateKey out;
  out.chain = backend.parse_chain(der);
  if (out.chain == nullptr) {
    ADD_FAILURE() << backend.name() << " cannot parse " << cert_file;
    return out;
  }
  out.key = out.chain->leaf_public_key();
  if (out.key == nullptr) ADD_FAILURE() << backend.name() << " has no key for " << cert_file;
  return out;
}

inline std::unique_ptr<PrivateKey> vector_private_key(Backend& backend, std::string_view key_file) {
  std::string error;
  auto key = backend.load_private_key(read_vector(key_file), &error);
  if (key == nullptr)
    ADD_FAILURE() << backend.name() << " cannot load " << key_file << ": " << error;
  return key;
}

inline std::vector<ByteView> views(const std::vector<Bytes>& all) {
  return std::vector<ByteView>(all.begin(), all.end());
}

// Key types and sizes of the default PKI kinds. The interface leaves
// Ed25519's "field bits" to the backend, so bits is 0 there: not checked.
inline KeyInfo expected_key_info(std::string_view kind) {
  if (kind == "rsa2048") return {KeyType::rsa, 2048};
  if (kind == "rsa3072") return {KeyType::rsa, 3072};
  if (kind == "rsa4096") return {KeyType::rsa, 4096};
  if (kind == "ecdsa-p256") return {KeyType::ecdsa_p256, 256};
  if (kind == "ecdsa-p384") return {KeyType::ecdsa_p384, 384};
  return {KeyType::ed25519, 0};
}

// Test names may hold only letters, digits and underscores.
inline std::string test_name(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) c = '_';
  }
  return out;
}

// A test parameterized over the built backends: SetUp loads the backend, and
// a backend that is built but does not load fails the test.
class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string error;
    backend_ = shared_backend(GetParam(), &error);
    ASSERT_NE(backend_, nullptr) << "backend " << GetParam()
                                 << " is built but does not load: " << error;
  }
  Backend& backend() { return *backend_; }

 private:
  Backend* backend_ = nullptr;
};

inline std::string BackendTestName(const ::testing::TestParamInfo<std::string>& info) {
  return test_name(info.param);
}

// A test parameterized over (backend, vector) for a table of vectors, each
// with a `name`.
template <typename Vector>
class BackendVectorTest : public ::testing::TestWithParam<std::tuple<std::string, Vector>> {
 protected:
  void SetUp() override {
    std::string error;
    const std::string& backend_name = std::get<0>(this->GetParam());
    backend_ = shared_backend(backend_name, &error);
    ASSERT_NE(backend_, nullptr) << "backend " << backend_name
                                 << " is built but does not load: " << error;
  }
  Backend& backend() { return *backend_; }
  const Vector& vec() const { return std::get<1>(this->GetParam()); }

 private:
  Backend* backend_ = nullptr;
};

struct BackendVectorTestName {
  template <typename Param>
  std::string operator()(const ::testing::TestParamInfo<Param>& info) const {
    return test_name(std::get<0>(info.param) + "_" + std::string(std::get<1>(info.param).name));
  }
};

}  // namespace hsbench::test
