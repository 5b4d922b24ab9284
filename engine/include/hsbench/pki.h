// The certificates and key a handshake uses, read from files once. Files are
// PEM (several certificates may follow each other in one file) or DER.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hsbench/algorithms.h"
#include "hsbench/backend.h"

namespace hsbench {

struct PkiFiles {
  std::string chain;  // leaf first, then intermediates
  std::string key;    // the leaf's private key
  std::string root;   // trust anchor(s) for the client
  // Mutual TLS, all three or none: the client's chain and key, and the
  // anchor(s) the server verifies it against.
  std::string client_chain{};
  std::string client_key{};
  std::string client_root{};
};

// The raw material, as DER, independent of any backend.
struct Pki {
  std::string name;             // e.g. "rsa2048", or "custom"
  std::vector<Bytes> chain;     // DER certificates, leaf first
  Bytes key;                    // PEM or DER private key, as read
  std::vector<Bytes> roots;     // DER trust anchors
  // Mutual TLS: empty when the PKI has no client chain.
  std::vector<Bytes> client_chain;  // DER certificates, leaf first
  Bytes client_key;
  std::vector<Bytes> client_roots;  // what the server trusts for clients
  bool has_client() const { return !client_chain.empty(); }
};

// The default PKI kinds shipped in pki/: rsa2048, rsa3072, rsa4096,
// ecdsa-p256, ecdsa-p384, ed25519.
const std::vector<std::string>& default_pki_kinds();

// Files of the default PKI of a kind under dir: DIR/KIND/{chain,key,root}.pem,
// and, where the kind has a client chain, DIR/KIND/client/{chain,key,root}.pem.
PkiFiles default_pki_files(std::string_view dir, std::string_view kind);

// The pki/ directory shipped with hsbench: $HSBENCH_PKI_DIR if set, else
// share/hsbench/pki beside the executable's bin/, else the source tree's.
std::string default_pki_dir();

// The certificates of a PEM or DER file, as DER, in file order. False and
// one line in out_error when it cannot be read or holds none.
bool read_certificates(const std::string& path, std::vector<Bytes>* out, std::string* out_error);

// A private key file, PEM (a PRIVATE KEY block, PKCS#8 or traditional) or
// DER, as read: the backend parses it. False and one line in out_error when
// it cannot be read or is PEM with no key in it.
bool read_private_key(const std::string& path, Bytes* out, std::string* out_error);

// Reads and decodes the files. nullptr and one line in out_error on failure
// (unreadable file, no certificate or key in it, malformed PEM).
std::unique_ptr<Pki> read_pki(std::string name, const PkiFiles& files, std::string* out_error);

// A Pki prepared on one backend, once, and shared by every handshake (as a
// server keeps its key and a client its trust store).
struct Credentials {
  std::vector<ByteView> chain_der;  // views into the Pki, which must outlive this
  std::unique_ptr<CertificateChain> chain;
  std::unique_ptr<PrivateKey> key;
  std::unique_ptr<TrustStore> trust;
  KeyInfo leaf;  // the leaf certificate's key
  // Mutual TLS, when the Pki has a client chain: that chain and key (what a
  // client presents), and the client roots as trust (what a server checks
  // clients against); see prepare_client_credentials.
  std::unique_ptr<Credentials> client;
};

// Parses the Pki on backend and checks that it is usable: the chain
// verifies against the roots for hostname (unless empty), and the private
// key signs what the leaf's public key verifies; with with_client, also
// prepares the Pki's client chain into client (for mutual TLS; an error
// when it has none). nullptr and one line in out_error otherwise.
std::unique_ptr<Credentials> prepare_credentials(Backend& backend, const Pki& pki,
                                                 std::string_view hostname, std::string* out_error,
                                                 bool with_client = false);

// The client's side of a Pki with a client chain, prepared on backend:
// chain and key as the client presents them, trust as the server checks
// them (the client roots, TrustStore::verify_client). Checked as
// prepare_credentials checks; with no client roots (a client that presents
// a chain only its server can check), trust is null and the chain is not
// verified, the key still checked against the leaf. nullptr and one line in
// out_error otherwise, and when the Pki has no client chain.
std::unique_ptr<Credentials> prepare_client_credentials(Backend& backend, const Pki& pki,
                                                        std::string* out_error);

// The signature schemes a key of this kind can make, in
// kAllSignatureSchemes order.
std::vector<SignatureScheme> signature_schemes_for(KeyInfo key);

}  // namespace hsbench
