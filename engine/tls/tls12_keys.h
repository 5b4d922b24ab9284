// The TLS 1.2 key schedule (RFC 5246 sections 6.3, 7.4.9, 8.1; RFC 7627).
#pragma once

#include "hsbench/algorithms.h"
#include "tls/crypto.h"
#include "tls/protocol.h"

namespace hsbench::tls {

// master_secret from the premaster secret: with the extended master secret
// (RFC 7627 4) over session_hash, else over the two randoms.
bool tls12_master_secret(Crypto& crypto, Hash hash, ByteView premaster, bool extended,
                         ByteView session_hash, ByteView client_random, ByteView server_random,
                         std::span<uint8_t, kMasterSecretLength> out);

struct Tls12KeyBlock {
  uint8_t client_key[32];
  uint8_t server_key[32];
  uint8_t client_iv[4];
  uint8_t server_iv[4];
  size_t key_length;
};

// The AEAD key block (RFC 5246 6.3; no MAC keys for AEAD suites, RFC 5288 3).
bool tls12_key_block(Crypto& crypto, const CipherSuiteInfo& suite, ByteView master,
                     ByteView client_random, ByteView server_random, Tls12KeyBlock* out);

// Finished.verify_data for the side that sends it (RFC 5246 7.4.9).
bool tls12_verify_data(Crypto& crypto, Hash hash, ByteView master, Side sender,
                       ByteView transcript_hash, std::span<uint8_t, kTls12VerifyDataLength> out);

}  // namespace hsbench::tls
