// Handshake message codecs. Parsers take the message body (after the 4-byte
// handshake header), check every length, reject trailing bytes and duplicate
// extensions, and on failure fill an Error with the alert to send. Parsed
// structs hold views into the body, which must outlive them.
#pragma once

#include <cstdint>

#include "hsbench/algorithms.h"
#include "tls/bytes.h"
#include "tls/protocol.h"

namespace hsbench::tls {

// The HelloRetryRequest's ServerHello.random (RFC 8446 4.1.3).
extern const uint8_t kHelloRetryRequestRandom[32];

struct ClientHello {
  uint16_t legacy_version = 0;
  ByteView random;
  ByteView session_id;
  ByteView cipher_suites;        // u16 list
  ByteView compression_methods;  // u8 list
  // Extensions; absent ones are empty views with has_* false.
  bool has_server_name = false;
  ByteView server_name;          // the host_name entry
  bool has_supported_groups = false;
  ByteView supported_groups;     // u16 list
  bool has_ec_point_formats = false;
  ByteView ec_point_formats;     // u8 list
  bool has_signature_algorithms = false;
  ByteView signature_algorithms;  // u16 list
  bool extended_master_secret = false;
  bool secure_renegotiation = false;  // renegotiation_info or the SCSV
  bool has_session_ticket = false;
  ByteView session_ticket;
  bool has_supported_versions = false;
  ByteView supported_versions;   // u16 list
  bool has_key_share = false;
  ByteView key_shares;           // KeyShareEntry list
  bool has_psk_key_exchange_modes = false;
  ByteView psk_key_exchange_modes;  // u8 list
  bool has_cookie = false;
  ByteView cookie;
  bool has_pre_shared_key = false;
  ByteView pre_shared_key;       // OfferedPsks
  size_t binders_offset = 0;     // offset in the body where the binders list starts
};

bool parse_client_hello(ByteView body, ClientHello* out, Error* out_error);

struct ServerHello {
  uint16_t legacy_version = 0;
  ByteView random;
  ByteView session_id;
  uint16_t cipher_suite = 0;
  bool is_hello_retry_request = false;
  bool extended_master_secret = false;
  bool secure_renegotiation = false;
  bool session_ticket = false;     // the server will send a NewSessionTicket
  bool has_ec_point_formats = false;
  bool server_name_acknowledged = false;  // TLS 1.2: the server used the SNI
  uint16_t supported_version = 0;  // 0 when absent (TLS 1.2)
  bool has_key_share = false;
  uint16_t key_share_group = 0;    // also HelloRetryRequest's selected_group
  ByteView key_share;              // empty in a HelloRetryRequest
  bool has_cookie = false;
  ByteView cookie;
  bool has_pre_shared_key = false;
  uint16_t selected_identity = 0;
};

bool parse_server_hello(ByteView body, ServerHello* out, Error* out_error);

// Certificate (RFC 5246 7.4.2 for TLS 1.2; RFC 8446 4.4.2 adds a request
// context and per-entry extensions). Fills up to max_certs DER views. A
// client's Certificate may be empty (allow_empty: *out_count is then 0).
bool parse_certificate(ByteView body, bool tls13, std::span<ByteView> out_certs, size_t* out_count,
                       Error* out_error, bool allow_empty = false);

// CertificateRequest (RFC 5246 7.4.4 for TLS 1.2; RFC 8446 4.3.2 for TLS
// 1.3, whose signature_algorithms extension is required).
struct CertificateRequest {
  ByteView context;                  // TLS 1.3: certificate_request_context
  ByteView certificate_types;        // TLS 1.2: ClientCertificateType u8 list
  ByteView signature_algorithms;     // u16 list
  ByteView certificate_authorities;  // DistinguishedName list, may be empty
};

bool parse_certificate_request(ByteView body, bool tls13, CertificateRequest* out,
                               Error* out_error);

// ClientCertificateType values (RFC 5246 7.4.4, RFC 8422 5.5).
inline constexpr uint8_t kRsaSign = 1;
inline constexpr uint8_t kEcdsaSign = 64;

// TLS 1.2 ECDHE ServerKeyExchange (RFC 8422 5.4).
struct ServerKeyExchange {
  uint16_t group = 0;
  ByteView public_key;
  ByteView params;  // curve_type .. public key: what the signature covers
  uint16_t signature_scheme = 0;
  ByteView signature;
};

bool parse_server_key_exchange(ByteView body, ServerKeyExchange* out, Error* out_error);

// TLS 1.3 CertificateVerify (RFC 8446 4.4.3).
struct CertificateVerify {
  uint16_t signature_scheme = 0;
  ByteView signature;
};

bool parse_certificate_verify(ByteView body, CertificateVerify* out, Error* out_error);

// Checks that a u16 list contains v.
bool list_contains_u16(ByteView list, uint16_t v);
bool list_contains_u8(ByteView list, uint8_t v);

}  // namespace hsbench::tls
