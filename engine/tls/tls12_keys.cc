#include "tls/tls12_keys.h"

#include <cstring>

namespace hsbench::tls {

bool tls12_master_secret(Crypto& crypto, Hash hash, ByteView premaster, bool extended,
                         ByteView session_hash, ByteView client_random, ByteView server_random,
                         std::span<uint8_t, kMasterSecretLength> out) {
  if (extended) {
    return crypto.prf(hash, PrfLabel::extended_master_secret, premaster, "extended master secret",
                      session_hash, out);
  }
  uint8_t seed[2 * kRandomLength];
  std::memcpy(seed, client_random.data(), kRandomLength);
  std::memcpy(seed + kRandomLength, server_random.data(), kRandomLength);
  return crypto.prf(hash, PrfLabel::master_secret, premaster, "master secret", seed, out);
}

bool tls12_key_block(Crypto& crypto, const CipherSuiteInfo& suite, ByteView master,
                     ByteView client_random, ByteView server_random, Tls12KeyBlock* out) {
  size_t key_len = key_length(suite.aead);
  uint8_t block[2 * 32 + 2 * 4];
  size_t total = 2 * key_len + 2 * 4;
  // The seed is server_random + client_random here (RFC 5246 6.3).
  uint8_t seed[2 * kRandomLength];
  std::memcpy(seed, server_random.data(), kRandomLength);
  std::memcpy(seed + kRandomLength, client_random.data(), kRandomLength);
  if (!crypto.prf(suite.hash, PrfLabel::key_expansion, master, "key expansion", seed,
                  std::span(block, total))) {
    return false;
  }
  out->key_length = key_len;
  std::memcpy(out->client_key, block, key_len);
  std::memcpy(out->server_key, block + key_len, key_len);
  std::memcpy(out->client_iv, block + 2 * key_len, 4);
  std::memcpy(out->server_iv, block + 2 * key_len + 4, 4);
  return true;
}

bool tls12_verify_data(Crypto& crypto, Hash hash, ByteView master, Side sender,
                       ByteView transcript_hash, std::span<uint8_t, kTls12VerifyDataLength> out) {
  bool client = sender == Side::client;
  return crypto.prf(hash, client ? PrfLabel::client_finished : PrfLabel::server_finished, master,
                    client ? "client finished" : "server finished", transcript_hash, out);
}

}  // namespace hsbench::tls
