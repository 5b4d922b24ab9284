// TLS wire constants (RFC 5246, RFC 8446) and the error type every parse
// and state function reports.
#pragma once

#include <cstdint>
#include <string_view>

namespace hsbench::tls {

enum class ContentType : uint8_t {
  change_cipher_spec = 20,
  alert = 21,
  handshake = 22,
  application_data = 23,
};

enum class HandshakeType : uint8_t {
  hello_request = 0,
  client_hello = 1,
  server_hello = 2,
  new_session_ticket = 4,
  end_of_early_data = 5,
  encrypted_extensions = 8,
  certificate = 11,
  server_key_exchange = 12,
  certificate_request = 13,
  server_hello_done = 14,
  certificate_verify = 15,
  client_key_exchange = 16,
  finished = 20,
  key_update = 24,
  message_hash = 254,
};

enum class ExtensionType : uint16_t {
  server_name = 0,
  status_request = 5,
  supported_groups = 10,
  ec_point_formats = 11,
  signature_algorithms = 13,
  application_layer_protocol_negotiation = 16,
  extended_master_secret = 23,
  session_ticket = 35,
  pre_shared_key = 41,
  early_data = 42,
  supported_versions = 43,
  cookie = 44,
  psk_key_exchange_modes = 45,
  certificate_authorities = 47,
  signature_algorithms_cert = 50,
  key_share = 51,
  renegotiation_info = 0xff01,
};

// Alert descriptions (RFC 8446 section 6).
enum class Alert : uint8_t {
  close_notify = 0,
  unexpected_message = 10,
  bad_record_mac = 20,
  record_overflow = 22,
  handshake_failure = 40,
  bad_certificate = 42,
  unsupported_certificate = 43,
  certificate_expired = 45,
  certificate_unknown = 46,
  illegal_parameter = 47,
  unknown_ca = 48,
  decode_error = 50,
  decrypt_error = 51,
  protocol_version = 70,
  insufficient_security = 71,
  internal_error = 80,
  missing_extension = 109,
  unsupported_extension = 110,
  unrecognized_name = 112,
  certificate_required = 116,
};

enum class AlertLevel : uint8_t { warning = 1, fatal = 2 };

std::string_view name(Alert a);
std::string_view name(HandshakeType t);

// Why a connection failed: the alert sent (or received) and a reason for
// people, a static string so that failing allocates nothing.
struct Error {
  Alert alert = Alert::internal_error;
  const char* reason = "";
  bool received = false;  // the peer sent the alert
};

inline constexpr size_t kMaxPlaintextLength = 1 << 14;          // RFC 8446 5.1
inline constexpr size_t kMaxCiphertextLength = (1 << 14) + 256;  // RFC 8446 5.2
inline constexpr size_t kRecordHeaderLength = 5;
inline constexpr size_t kHandshakeHeaderLength = 4;
inline constexpr size_t kRandomLength = 32;
inline constexpr size_t kMasterSecretLength = 48;
inline constexpr size_t kTls12VerifyDataLength = 12;
inline constexpr size_t kMaxHandshakeMessageLength = 1 << 17;  // a sanity bound, 128 KiB

// The legacy record version for records after the first ClientHello.
inline constexpr uint16_t kRecordVersion = 0x0303;

}  // namespace hsbench::tls
