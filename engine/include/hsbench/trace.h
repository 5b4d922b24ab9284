// What one handshake did, step by step: each step is one message written or
// read by one side, with its wall time and the crypto operations inside it.
// Fixed-capacity and reused across handshakes, so recording allocates
// nothing.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "hsbench/algorithms.h"

namespace hsbench {

enum class Side : uint8_t { client, server };
enum class Action : uint8_t { write, read };

constexpr Side peer(Side s) { return s == Side::client ? Side::server : Side::client; }
constexpr std::string_view name(Side s) { return s == Side::client ? "client" : "server"; }
constexpr std::string_view name(Action a) { return a == Action::write ? "write" : "read"; }

// A message on the wire, as a step names it. ChangeCipherSpec and
// application data are records rather than handshake messages, but they
// are steps all the same.
enum class Message : uint8_t {
  client_hello,
  server_hello,
  hello_retry_request,
  encrypted_extensions,
  certificate,
  server_key_exchange,
  server_hello_done,
  certificate_verify,
  client_key_exchange,
  change_cipher_spec,
  finished,
  new_session_ticket,
  application_data,
  certificate_request,  // mutual TLS: the server asks for the client's certificate
};

std::string_view name(Message m);

// The 8 steps users think in (README.md, "The handshake, step by step"): 1 ClientHello,
// 2 ServerHello, 3 Certificate, 4 Key exchange, 5 Server Finished, 6 Client
// key exchange, 7 Client Finished, 8 Session established.
inline constexpr int kUserSteps = 8;
std::string_view user_step_name(int user_step);
// The user step of a message, by who sent it. 0 for messages outside the 8
// (a TLS 1.3 NewSessionTicket, which follows the handshake).
int user_step(TlsVersion version, Message message, Side sender);

enum class OpKind : uint8_t {
  random,
  hash,           // transcript hashing
  hmac,
  hkdf_extract,
  hkdf_expand,
  prf,            // TLS 1.2 PRF; detail = PrfLabel
  aead_key,       // setting up a record key
  aead_seal,
  aead_open,
  keygen,
  derive,
  sign,
  verify,
  rsa_encrypt,    // detail = modulus bits
  rsa_decrypt,
  parse_chain,
  verify_chain,
  // A KEM group's operations (alg = the group): the client's key pair in
  // its ClientHello, the server's encapsulation for its ServerHello, the
  // client's decapsulation as it reads the ServerHello.
  kem_keygen,
  kem_encap,
  kem_decap,
};

enum class PrfLabel : uint16_t {
  none,
  master_secret,
  extended_master_secret,
  key_expansion,
  client_finished,
  server_finished,
};

// One crypto operation, named by kind, algorithm (an IANA id of the kind's
// family) and a detail.
struct CryptoOp {
  OpKind kind = OpKind::random;
  uint16_t alg = 0;
  uint16_t detail = 0;
  friend bool operator==(const CryptoOp&, const CryptoOp&) = default;
  friend auto operator<=>(const CryptoOp&, const CryptoOp&) = default;
};

// "sign:ecdsa_secp256r1_sha256", "decrypt:rsa2048-pkcs1", "prf:master_secret", ...
std::string op_name(CryptoOp op);

// The sizes one crypto operation was given, so that the lower bound can
// time it again on the same input (run/primitives.h). Each kind uses the
// fields it has and leaves the others 0:
//   hash          update: bytes hashed; digest: out = the digest's length,
//                 bytes = everything hashed into the context before it
//   hmac          bytes = data, aux = key
//   hkdf_extract  bytes = input keying material, aux = salt
//   hkdf_expand   bytes = info, out = output length
//   prf           bytes = seed, aux = secret, out = output length
//   aead_seal     bytes = plaintext, aux = additional data
//   aead_open     bytes = ciphertext (tag included), aux = additional data
//   random        out = bytes drawn
//   sign, verify  bytes = message signed or verified, aux = signature (verify)
//   rsa_encrypt   bytes = plaintext; rsa_decrypt: bytes = ciphertext
//   parse_chain   bytes = DER parsed, aux = certificates
// keygen, derive, kem_*, aead_key and verify_chain cost what their
// algorithm or the chain fixes.
struct OpSize {
  uint32_t bytes = 0;
  uint16_t aux = 0;
  uint16_t out = 0;
  friend bool operator==(const OpSize&, const OpSize&) = default;
  friend auto operator<=>(const OpSize&, const OpSize&) = default;
};

struct OpSample {
  CryptoOp op;
  uint32_t ns = 0;
  OpSize size;
};

struct Step {
  Side side = Side::client;
  Action action = Action::write;
  Message message = Message::client_hello;
  uint64_t ns = 0;
  uint16_t first_op = 0;  // index into HandshakeTrace::ops
  uint16_t op_count = 0;
  // The step's time has no boundary of its own on one end, so it holds part
  // of a neighbouring step's work or lacks part of its own (native steps,
  // whose boundaries are the library's callbacks; never the engine's).
  bool approximate = false;
  // A write step: the bytes it put on the wire (its records whole: headers,
  // padding and AEAD tags included). 0 for reads, and for native steps.
  uint32_t wire_bytes = 0;
};

struct HandshakeTrace {
  static constexpr size_t kMaxSteps = 64;
  static constexpr size_t kMaxOps = 512;

  TlsVersion version = TlsVersion::tls12;
  std::array<Step, kMaxSteps> steps;
  size_t step_count = 0;
  std::array<OpSample, kMaxOps> ops;
  size_t op_count = 0;
  uint64_t total_ns = 0;
  bool overflow = false;  // more steps or ops than fit; the excess was dropped

  void clear() {
    step_count = op_count = 0;
    total_ns = 0;
    overflow = false;
  }
  void add_op(CryptoOp op, uint64_t ns, OpSize size = {}) {
    if (op_count == kMaxOps) {
      overflow = true;
      return;
    }
    ops[op_count++] = {op, static_cast<uint32_t>(ns > UINT32_MAX ? UINT32_MAX : ns), size};
  }
};

}  // namespace hsbench
