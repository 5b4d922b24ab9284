#include "hsbench/pki.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "backend/pem.h"

namespace hsbench {
namespace {

constexpr std::string_view kPemMarker = "-----BEGIN ";

bool read_file(const std::string& path, std::string* out, std::string* out_error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *out_error = "cannot read " + path;
    return false;
  }
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    *out_error = "cannot read " + path;
    return false;
  }
  if (out->empty()) {
    *out_error = path + " is empty";
    return false;
  }
  return true;
}

}  // namespace

bool read_private_key(const std::string& path, Bytes* out, std::string* out_error) {
  std::string text;
  if (!read_file(path, &text, out_error)) return false;
  if (text.find(kPemMarker) != std::string::npos) {
    std::vector<PemBlock> blocks;
    std::string error;
    if (!decode_pem(text, &blocks, &error)) {
      *out_error = path + ": " + error;
      return false;
    }
    bool has_key = false;
    for (const auto& b : blocks) has_key |= b.label.ends_with("PRIVATE KEY");
    if (!has_key) {
      *out_error = path + " holds no PRIVATE KEY block";
      return false;
    }
  }
  // The backend parses the key itself (PEM or DER, PKCS#8 or traditional).
  out->assign(text.begin(), text.end());
  return true;
}

namespace {

std::string exe_relative(std::string_view rel) {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return (exe.parent_path() / rel).lexically_normal().string();
}

}  // namespace

bool read_certificates(const std::string& path, std::vector<Bytes>* out, std::string* out_error) {
  std::string text;
  if (!read_file(path, &text, out_error)) return false;
  if (text.find(kPemMarker) == std::string::npos) {
    // DER: a certificate is a SEQUENCE (0x30); anything else is not one.
    if (static_cast<uint8_t>(text[0]) != 0x30) {
      *out_error = path + " holds neither PEM nor a DER certificate";
      return false;
    }
    out->emplace_back(text.begin(), text.end());
    return true;
  }
  std::vector<PemBlock> blocks;
  std::string error;
  if (!decode_pem(text, &blocks, &error)) {
    *out_error = path + ": " + error;
    return false;
  }
  for (auto& b : blocks) {
    if (b.label == "CERTIFICATE") out->push_back(std::move(b.der));
  }
  if (out->empty()) {
    *out_error = path + " holds no CERTIFICATE block";
    return false;
  }
  return true;
}

const std::vector<std::string>& default_pki_kinds() {
  static const std::vector<std::string> kinds = {"rsa2048",    "rsa3072",    "rsa4096",
                                                 "ecdsa-p256", "ecdsa-p384", "ed25519"};
  return kinds;
}

PkiFiles default_pki_files(std::string_view dir, std::string_view kind) {
  std::string base = std::string(dir) + "/" + std::string(kind) + "/";
  PkiFiles files{base + "chain.pem", base + "key.pem", base + "root.pem"};
  const std::string client = base + "client/";
  std::error_code ec;
  if (std::filesystem::exists(client + "chain.pem", ec)) {
    files.client_chain = client + "chain.pem";
    files.client_key = client + "key.pem";
    files.client_root = client + "root.pem";
  }
  return files;
}

std::string default_pki_dir() {
  if (const char* env = std::getenv("HSBENCH_PKI_DIR"); env != nullptr && *env != '\0') return env;
  std::string installed = exe_relative(HSBENCH_PKI_RELATIVE_DIR);
  std::error_code ec;
  if (!installed.empty() && std::filesystem::is_directory(installed, ec)) return installed;
  return HSBENCH_SOURCE_PKI_DIR;
}

std::unique_ptr<Pki> read_pki(std::string name, const PkiFiles& files, std::string* out_error) {
  auto pki = std::make_unique<Pki>();
  pki->name = std::move(name);
  if (!read_certificates(files.chain, &pki->chain, out_error) ||
      !read_private_key(files.key, &pki->key, out_error) ||
      !read_certificates(files.root, &pki->roots, out_error)) {
    return nullptr;
  }
  if (files.client_chain.empty() && files.client_key.empty() && files.client_root.empty()) {
    return pki;
  }
  if (files.client_chain.empty() || files.client_key.empty() || files.client_root.empty()) {
    *out_error = pki->name + ": a client chain needs its chain, key and root files";
    return nullptr;
  }
  if (!read_certificates(files.client_chain, &pki->client_chain, out_error) ||
      !read_private_key(files.client_key, &pki->client_key, out_error) ||
      !read_certificates(files.client_root, &pki->client_roots, out_error)) {
    return nullptr;
  }
  return pki;
}

std::vector<SignatureScheme> signature_schemes_for(KeyInfo key) {
  std::vector<SignatureScheme> out;
  for (SignatureScheme s : kAllSignatureSchemes) {
    if (scheme_key_type(s) == key.type) out.push_back(s);
  }
  return out;
}

namespace {

// hostname: the server's name for a server chain; empty for a client's,
// which is verified as a client's.
std::unique_ptr<Credentials> prepare(Backend& backend, const std::string& what,
                                     const std::vector<Bytes>& chain, const Bytes& key,
                                     const std::vector<Bytes>& roots, bool client,
                                     std::string_view hostname, std::string* out_error) {
  auto creds = std::make_unique<Credentials>();
  for (const auto& der : chain) creds->chain_der.emplace_back(der);
  creds->chain = backend.parse_chain(creds->chain_der);
  if (!creds->chain) {
    *out_error = what + ": the certificate chain does not parse on " + std::string(backend.name());
    return nullptr;
  }
  auto leaf_key = creds->chain->leaf_public_key();
  if (!leaf_key) {
    *out_error =
        what + ": the leaf certificate's key is not supported by " + std::string(backend.name());
    return nullptr;
  }
  creds->leaf = leaf_key->info();

  std::string error;
  creds->key = backend.load_private_key(key, &error);
  if (!creds->key) {
    *out_error = what + ": cannot load the private key: " + error;
    return nullptr;
  }
  // A client chain without its roots is the server's to check.
  if (!client || !roots.empty()) {
    std::vector<ByteView> root_views(roots.begin(), roots.end());
    creds->trust = backend.new_trust_store(root_views, &error);
    if (!creds->trust) {
      *out_error = what + ": cannot load the trust anchors: " + error;
      return nullptr;
    }
    const bool verified = client ? creds->trust->verify_client(*creds->chain, &error)
                                 : creds->trust->verify(*creds->chain, hostname, &error);
    if (!verified) {
      *out_error = what + ": the chain does not verify against the root: " + error;
      return nullptr;
    }
  }

  // The key must belong to the leaf: sign with it, verify with the leaf.
  KeyInfo key_info = creds->key->info();
  auto schemes = signature_schemes_for(key_info);
  if (key_info.type != creds->leaf.type || key_info.bits != creds->leaf.bits || schemes.empty()) {
    *out_error = what + ": the private key (" + std::string(name(key_info.type)) +
                 ") does not match the leaf certificate (" + std::string(name(creds->leaf.type)) +
                 ")";
    return nullptr;
  }
  static constexpr uint8_t kProbe[] = {'h', 's', 'b', 'e', 'n', 'c', 'h'};
  uint8_t sig[kMaxSignatureLength];
  size_t sig_len = 0;
  if (!creds->key->sign(schemes.front(), kProbe, sig, &sig_len) ||
      !leaf_key->verify(schemes.front(), kProbe, ByteView(sig, sig_len))) {
    *out_error = what + ": the private key does not belong to the leaf certificate";
    return nullptr;
  }
  return creds;
}

}  // namespace

std::unique_ptr<Credentials> prepare_credentials(Backend& backend, const Pki& pki,
                                                 std::string_view hostname, std::string* out_error,
                                                 bool with_client) {
  auto creds =
      prepare(backend, pki.name, pki.chain, pki.key, pki.roots, false, hostname, out_error);
  if (creds != nullptr && with_client) {
    creds->client = prepare_client_credentials(backend, pki, out_error);
    if (creds->client == nullptr) return nullptr;
  }
  return creds;
}

std::unique_ptr<Credentials> prepare_client_credentials(Backend& backend, const Pki& pki,
                                                        std::string* out_error) {
  if (!pki.has_client()) {
    *out_error = pki.name + ": no client certificate chain";
    return nullptr;
  }
  return prepare(backend, pki.name + " (client)", pki.client_chain, pki.client_key,
                 pki.client_roots, true, {}, out_error);
}

}  // namespace hsbench
