// Resumption state (RFC 5077 for TLS 1.2; RFC 8446 4.6.1 and 2.2 for TLS
// 1.3). The client keeps a ClientSession from a ticket; the server keeps
// nothing: its tickets are sealed with a key only it has (stateless
// tickets, RFC 5077 4), so a ticket carries what resuming needs.
#pragma once

#include <cstdint>
#include <memory>

#include "hsbench/algorithms.h"
#include "tls/clock.h"
#include "tls/crypto.h"
#include "tls/protocol.h"
#include "tls/tls13_keys.h"

namespace hsbench::tls {

struct ClientSession {
  TlsVersion version = TlsVersion::tls13;
  CipherSuite suite = CipherSuite::TLS_AES_128_GCM_SHA256;
  Bytes ticket;
  // TLS 1.2: the master secret. TLS 1.3: the PSK.
  Secret secret{};
  size_t secret_length = 0;
  bool extended_master_secret = false;
  uint32_t age_add = 0;
  StepClock::time_point received;
};

// What a server seals into a ticket.
struct TicketContents {
  TlsVersion version = TlsVersion::tls13;
  CipherSuite suite = CipherSuite::TLS_AES_128_GCM_SHA256;
  bool extended_master_secret = false;
  // The client presented a certificate that verified (mutual TLS): a
  // resumption inherits that authentication (RFC 8446 2.2, RFC 5077 4), so
  // a server that requires one resumes only such tickets.
  bool client_authenticated = false;
  Secret secret{};
  size_t secret_length = 0;
  // When it was sealed, in seconds since the Unix epoch (Config::ticket_clock).
  uint64_t issued = 0;
};

inline constexpr size_t kTicketKeyLength = 16;  // AES-128-GCM
// What NewSessionTicket announces and the server holds to: a ticket older
// than this does not resume (RFC 8446 4.6.1, at most 7 days; RFC 5077 3.3).
inline constexpr uint16_t kTicketLifetimeSeconds = 7200;

// Whether a ticket issued at issued is within its lifetime at now. One
// stamped later than now is not: the server's clock went back, or the
// ticket was not its own.
constexpr bool ticket_fresh(uint64_t issued, uint64_t now) {
  return issued <= now && now - issued <= kTicketLifetimeSeconds;
}

// Seals and opens tickets with one server's key.
class TicketSealer {
 public:
  // Prepares the AEAD once; false if the backend cannot.
  bool init(Crypto& crypto, ByteView key);
  bool ready() const { return aead_ != nullptr; }
  bool seal(Crypto& crypto, const TicketContents& contents, Bytes* out_ticket);
  // False for a ticket that is not ours or has been tampered with.
  bool open(Crypto& crypto, ByteView ticket, TicketContents* out);

 private:
  std::unique_ptr<AeadContext> aead_;
};

}  // namespace hsbench::tls
