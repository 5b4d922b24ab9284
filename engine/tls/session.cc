#include "tls/session.h"

#include <algorithm>

#include "tls/bytes.h"

namespace hsbench::tls {
namespace {

// ticket = nonce (12) || AEAD(version u16, suite u16, flags u8, issued u64,
//                            secret<u8>)
// flags: 1 extended master secret, 2 client authenticated.
constexpr size_t kMaxTicketPlaintext = 2 + 2 + 1 + 8 + 1 + kMaxHashLength;
constexpr uint8_t kTicketAd[] = {'h', 's', 'b', 'e', 'n', 'c', 'h', ' ', 't', 'k', 't'};

}  // namespace

bool TicketSealer::init(Crypto& crypto, ByteView key) {
  aead_ = crypto.new_aead(Aead::aes128gcm, key);
  return aead_ != nullptr;
}

bool TicketSealer::seal(Crypto& crypto, const TicketContents& c, Bytes* out) {
  uint8_t plain[kMaxTicketPlaintext];
  size_t n = 0;
  plain[n++] = static_cast<uint8_t>(static_cast<uint16_t>(c.version) >> 8);
  plain[n++] = static_cast<uint8_t>(static_cast<uint16_t>(c.version));
  plain[n++] = static_cast<uint8_t>(static_cast<uint16_t>(c.suite) >> 8);
  plain[n++] = static_cast<uint8_t>(static_cast<uint16_t>(c.suite));
  plain[n++] =
      static_cast<uint8_t>((c.extended_master_secret ? 1 : 0) | (c.client_authenticated ? 2 : 0));
  for (int shift = 56; shift >= 0; shift -= 8) {
    plain[n++] = static_cast<uint8_t>(c.issued >> shift);
  }
  plain[n++] = static_cast<uint8_t>(c.secret_length);
  for (size_t i = 0; i < c.secret_length; i++) plain[n++] = c.secret[i];

  out->resize(kAeadNonceLength + n + kAeadTagLength);
  std::span<uint8_t> nonce(out->data(), kAeadNonceLength);
  if (!crypto.random(nonce)) return false;
  return crypto.seal(*aead_, nonce, kTicketAd, ByteView(plain, n),
                     std::span(*out).subspan(kAeadNonceLength));
}

bool TicketSealer::open(Crypto& crypto, ByteView ticket, TicketContents* out) {
  constexpr size_t kMaxPlain = kMaxTicketPlaintext;
  if (ticket.size() < kAeadNonceLength + kAeadTagLength ||
      ticket.size() > kAeadNonceLength + kMaxPlain + kAeadTagLength) {
    return false;
  }
  uint8_t plain[kMaxPlain];
  size_t n = ticket.size() - kAeadNonceLength - kAeadTagLength;
  if (!crypto.open(*aead_, ticket.first(kAeadNonceLength), kTicketAd,
                   ticket.subspan(kAeadNonceLength), std::span(plain, n))) {
    return false;
  }
  Reader r(ByteView(plain, n));
  uint16_t version, suite;
  uint8_t ems;
  uint16_t issued[4];
  ByteView secret;
  if (!r.u16(&version) || !r.u16(&suite) || !r.u8(&ems) || !r.u16(&issued[0]) ||
      !r.u16(&issued[1]) || !r.u16(&issued[2]) || !r.u16(&issued[3]) || !r.u8_prefixed(&secret) ||
      !r.empty() || secret.size() > kMaxHashLength || cipher_suite_info(suite) == nullptr ||
      ems > 3) {
    return false;
  }
  out->version = static_cast<TlsVersion>(version);
  out->suite = static_cast<CipherSuite>(suite);
  out->extended_master_secret = (ems & 1) != 0;
  out->client_authenticated = (ems & 2) != 0;
  out->issued = 0;
  for (uint16_t part : issued) out->issued = (out->issued << 16) | part;
  out->secret_length = secret.size();
  std::copy(secret.begin(), secret.end(), out->secret.begin());
  return true;
}

}  // namespace hsbench::tls
