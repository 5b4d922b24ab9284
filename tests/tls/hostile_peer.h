// Tools for playing a misbehaving TLS peer against the engine: a backend
// that computes one thing wrong, a key whose signatures do not verify, and a
// flight editor that re-frames plaintext handshake records after a test has
// changed a message. Test-only; nothing here is careful about speed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hsbench/backend.h"
#include "tls/bytes.h"
#include "tls/protocol.h"

namespace hsbench::tls::hostile {

// Forwards everything to a real backend but, when told to, flips one bit of
// the TLS 1.2 PRF output for one label ("client finished", "server
// finished") or of one HMAC (the engine's only HMAC is the TLS 1.3 Finished,
// RFC 8446 4.4.4), so that a side computes its Finished wrong under
// encryption, where a test cannot edit the bytes.
class TamperingBackend final : public Backend {
 public:
  explicit TamperingBackend(Backend* inner) : inner_(inner) {}

  void corrupt_prf(std::string label) { corrupt_prf_label_ = std::move(label); }
  // 1 for the first HMAC after this call, 2 for the second; 0 for none.
  void corrupt_hmac(int nth) {
    corrupt_hmac_call_ = nth;
    hmac_calls_ = 0;
  }
  // Every KEM encapsulation sends its ciphertext (the server's share after
  // its X25519 part) with one bit flipped and keeps the secret it made: the
  // client's decapsulation yields another secret (implicit rejection).
  void corrupt_ciphertext() { corrupt_ciphertext_ = true; }

  std::string_view name() const override { return inner_->name(); }
  std::string_view version() const override { return inner_->version(); }
  const Algorithms& algorithms() const override { return inner_->algorithms(); }
  bool random(std::span<uint8_t> out) override { return inner_->random(out); }
  std::unique_ptr<HashContext> new_hash(Hash hash) override { return inner_->new_hash(hash); }

  bool hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) override {
    if (!inner_->hmac(hash, key, data, out)) return false;
    if (++hmac_calls_ == corrupt_hmac_call_ && !out.empty()) out[0] ^= 0x01;
    return true;
  }
  bool hkdf_extract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out) override {
    return inner_->hkdf_extract(hash, salt, ikm, out);
  }
  bool hkdf_expand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out) override {
    return inner_->hkdf_expand(hash, prk, info, out);
  }
  bool tls12_prf(Hash hash, ByteView secret, std::string_view label, ByteView seed,
                 std::span<uint8_t> out) override {
    if (!inner_->tls12_prf(hash, secret, label, seed, out)) return false;
    if (label == corrupt_prf_label_ && !out.empty()) out[0] ^= 0x01;
    return true;
  }

  std::unique_ptr<AeadContext> new_aead(Aead aead, ByteView key) override {
    return inner_->new_aead(aead, key);
  }
  std::unique_ptr<KeyShare> generate_key_share(Group group) override {
    return inner_->generate_key_share(group);
  }
  std::unique_ptr<KeyShare> key_share_from_private(Group group, ByteView private_key) override {
    return inner_->key_share_from_private(group, private_key);
  }
  bool encapsulate(Group group, ByteView client_share, ByteView entropy,
                   std::span<uint8_t> out_share, std::span<uint8_t> out_secret) override {
    if (!inner_->encapsulate(group, client_share, entropy, out_share, out_secret)) return false;
    if (corrupt_ciphertext_ && out_share.size() > 32 + 100) out_share[32 + 100] ^= 0x04;
    return true;
  }
  std::unique_ptr<PrivateKey> load_private_key(ByteView pem_or_der,
                                               std::string* out_error) override {
    return inner_->load_private_key(pem_or_der, out_error);
  }
  std::unique_ptr<CertificateChain> parse_chain(std::span<const ByteView> der_certs) override {
    return inner_->parse_chain(der_certs);
  }
  std::unique_ptr<TrustStore> new_trust_store(std::span<const ByteView> der_anchors,
                                              std::string* out_error) override {
    return inner_->new_trust_store(der_anchors, out_error);
  }

 private:
  Backend* inner_;
  std::string corrupt_prf_label_;
  int corrupt_hmac_call_ = 0;
  int hmac_calls_ = 0;
  bool corrupt_ciphertext_ = false;
};

// A private key whose every signature has one bit flipped: a server with a
// bad ServerKeyExchange (RFC 8422 5.4) or CertificateVerify (RFC 8446
// 4.4.3) signature.
class FlippedSignatureKey final : public PrivateKey {
 public:
  explicit FlippedSignatureKey(std::unique_ptr<PrivateKey> inner) : inner_(std::move(inner)) {}
  KeyInfo info() const override { return inner_->info(); }
  bool sign(SignatureScheme scheme, ByteView message, std::span<uint8_t> out,
            size_t* out_len) const override {
    if (!inner_->sign(scheme, message, out, out_len) || *out_len == 0) return false;
    out[*out_len / 2] ^= 0x01;
    return true;
  }
  bool rsa_decrypt_pkcs1(ByteView ciphertext, std::span<uint8_t> out,
                         size_t* out_len) const override {
    return inner_->rsa_decrypt_pkcs1(ciphertext, out, out_len);
  }

 private:
  std::unique_ptr<PrivateKey> inner_;
};

// --- Editing bytes. Test code indexes with at(), so that a test's own
// mistake throws instead of reading out of bounds. ---

inline uint16_t get_u16(const Bytes& b, size_t at) {
  return static_cast<uint16_t>((b.at(at) << 8) | b.at(at + 1));
}

inline void put_u16(Bytes& b, size_t at, uint16_t v) {
  b.at(at) = static_cast<uint8_t>(v >> 8);
  b.at(at + 1) = static_cast<uint8_t>(v);
}

inline void put_u24(Bytes& b, size_t at, uint32_t v) {
  b.at(at) = static_cast<uint8_t>(v >> 16);
  b.at(at + 1) = static_cast<uint8_t>(v >> 8);
  b.at(at + 2) = static_cast<uint8_t>(v);
}

// A flight as records; the messages of plaintext handshake records are
// split out so that a test can edit one and re-frame the flight with every
// record and message length recomputed. Other records (ChangeCipherSpec,
// anything encrypted) pass through untouched. Handshake records after a
// ChangeCipherSpec are encrypted (TLS 1.2 keeps their outer type), so they
// are never split.
class Flight {
 public:
  explicit Flight(ByteView bytes) {
    Reader r(bytes);
    bool protected_from_here = false;
    while (!r.empty()) {
      Record rec;
      ByteView payload;
      if (!r.u8(&rec.type) || !r.u16(&rec.version) || !r.u16_prefixed(&payload)) {
        throw std::invalid_argument("flight ends inside a record");
      }
      rec.payload.assign(payload.begin(), payload.end());
      if (rec.type == static_cast<uint8_t>(ContentType::change_cipher_spec)) {
        protected_from_here = true;
      }
      if (rec.type == static_cast<uint8_t>(ContentType::handshake) && !protected_from_here) {
        Reader m(payload);
        std::vector<Message> messages;
        while (!m.empty()) {
          Message msg;
          ByteView body;
          if (!m.u8(&msg.type) || !m.u24_prefixed(&body)) break;
          msg.body.assign(body.begin(), body.end());
          messages.push_back(std::move(msg));
        }
        if (m.empty()) {
          rec.messages = std::move(messages);
          rec.split = true;
        }
      }
      records_.push_back(std::move(rec));
    }
  }

  // The body of the first message of this type; throws if there is none.
  Bytes& body(HandshakeType type) {
    for (Record& rec : records_) {
      for (Message& m : rec.messages) {
        if (m.type == static_cast<uint8_t>(type)) return m.body;
      }
    }
    throw std::invalid_argument("no such message in the flight");
  }

  // Drops the first message of this type, and its record if it held only
  // that message.
  void remove(HandshakeType type) {
    for (auto rec = records_.begin(); rec != records_.end(); ++rec) {
      for (auto m = rec->messages.begin(); m != rec->messages.end(); ++m) {
        if (m->type != static_cast<uint8_t>(type)) continue;
        rec->messages.erase(m);
        if (rec->messages.empty()) records_.erase(rec);
        return;
      }
    }
    throw std::invalid_argument("no such message in the flight");
  }

  Bytes bytes() const {
    Bytes out;
    Writer w(&out);
    for (const Record& rec : records_) {
      w.u8(rec.type);
      w.u16(rec.version);
      auto len = w.open_u16();
      if (!rec.split) {
        w.bytes(rec.payload);
      } else {
        for (const Message& m : rec.messages) {
          w.u8(m.type);
          w.u24(static_cast<uint32_t>(m.body.size()));
          w.bytes(m.body);
        }
      }
      if (!w.close(len)) throw std::length_error("record too long");
    }
    return out;
  }

  // Where the handshake header of the first message of this type starts in
  // bytes(), for lies no re-framing would keep.
  size_t offset_of(HandshakeType type) const {
    size_t at = 0;
    for (const Record& rec : records_) {
      at += kRecordHeaderLength;
      if (!rec.split) {
        at += rec.payload.size();
        continue;
      }
      for (const Message& m : rec.messages) {
        if (m.type == static_cast<uint8_t>(type)) return at;
        at += kHandshakeHeaderLength + m.body.size();
      }
    }
    throw std::invalid_argument("no such message in the flight");
  }

 private:
  struct Message {
    uint8_t type = 0;
    Bytes body;
  };
  struct Record {
    uint8_t type = 0;
    uint16_t version = 0;
    Bytes payload;  // as received, for records not split
    bool split = false;
    std::vector<Message> messages;  // a plaintext handshake record's messages
  };
  std::vector<Record> records_;
};

// Offsets into a ServerHello body (RFC 8446 4.1.3): legacy_version, random,
// legacy_session_id, cipher_suite, legacy_compression_method, extensions.
inline size_t server_hello_cipher_suite_at(const Bytes& body) { return 2 + 32 + 1 + body.at(34); }
inline size_t server_hello_extensions_at(const Bytes& body) {
  return server_hello_cipher_suite_at(body) + 3;
}

// Offsets into a ClientHello body (RFC 8446 4.1.2).
inline size_t client_hello_cipher_suites_at(const Bytes& body) { return 2 + 32 + 1 + body.at(34); }
inline size_t client_hello_extensions_at(const Bytes& body) {
  size_t suites = client_hello_cipher_suites_at(body);
  size_t compression = suites + 2 + get_u16(body, suites);
  return compression + 1 + body.at(compression);
}

// The offset of an extension's data in a hello body whose extensions block
// (its u16 length first) starts at extensions_at.
inline std::optional<size_t> find_extension(const Bytes& body, size_t extensions_at,
                                            ExtensionType type) {
  size_t end = extensions_at + 2 + get_u16(body, extensions_at);
  for (size_t at = extensions_at + 2; at + 4 <= end;) {
    size_t len = get_u16(body, at + 2);
    if (get_u16(body, at) == static_cast<uint16_t>(type)) return at + 4;
    at += 4 + len;
  }
  return std::nullopt;
}

// Appends an extension to a hello body whose extensions block is last.
inline void append_extension(Bytes& body, size_t extensions_at, uint16_t type, ByteView data) {
  Writer w(&body);
  w.u16(type);
  w.u16(static_cast<uint16_t>(data.size()));
  w.bytes(data);
  put_u16(body, extensions_at, static_cast<uint16_t>(body.size() - extensions_at - 2));
}

// The record that ends bytes: its type and payload. For a plaintext alert
// the payload is level and description.
struct LastRecord {
  uint8_t type = 0;
  Bytes payload;
};

inline std::optional<LastRecord> last_record(ByteView bytes) {
  Reader r(bytes);
  std::optional<LastRecord> last;
  while (!r.empty()) {
    LastRecord rec;
    uint16_t version;
    ByteView payload;
    if (!r.u8(&rec.type) || !r.u16(&version) || !r.u16_prefixed(&payload)) return std::nullopt;
    rec.payload.assign(payload.begin(), payload.end());
    last = std::move(rec);
  }
  return last;
}

}  // namespace hsbench::tls::hostile
