#include "tls/messages.h"

#include <algorithm>
#include <bitset>

namespace hsbench::tls {

const uint8_t kHelloRetryRequestRandom[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

namespace {

bool fail(Error* e, Alert a, const char* reason) {
  *e = {a, reason};
  return false;
}

// Tracks extension types seen, to reject duplicates (RFC 8446 4.2): every
// type below 256, and renegotiation_info (0xff01), the one type above that
// the engine parses. Other types from 256 up (unknown ones) are not tracked.
class SeenExtensions {
 public:
  bool first_time(uint16_t type) {
    size_t slot = type;
    if (type == static_cast<uint16_t>(ExtensionType::renegotiation_info)) {
      slot = kTracked;
    } else if (type >= kTracked) {
      return true;
    }
    if (seen_.test(slot)) return false;
    seen_.set(slot);
    return true;
  }

 private:
  static constexpr size_t kTracked = 256;
  std::bitset<kTracked + 1> seen_;  // the last slot: renegotiation_info
};

// A non-empty list of u16 (or u8) values, with an even length for u16.
bool parse_u16_list(Reader& r, ByteView* out) {
  return r.u16_prefixed(out) && !out->empty() && out->size() % 2 == 0;
}

bool is_hrr_random(ByteView random) {
  return random.size() == 32 && std::equal(random.begin(), random.end(), kHelloRetryRequestRandom);
}

}  // namespace

bool list_contains_u16(ByteView list, uint16_t v) {
  Reader r(list);
  uint16_t x;
  while (r.u16(&x)) {
    if (x == v) return true;
  }
  return false;
}

bool list_contains_u8(ByteView list, uint8_t v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

bool parse_client_hello(ByteView body, ClientHello* out, Error* e) {
  *out = ClientHello{};
  Reader r(body);
  if (!r.u16(&out->legacy_version) || !r.bytes(32, &out->random) ||
      !r.u8_prefixed(&out->session_id) || out->session_id.size() > 32 ||
      !parse_u16_list(r, &out->cipher_suites) || !r.u8_prefixed(&out->compression_methods) ||
      out->compression_methods.empty()) {
    return fail(e, Alert::decode_error, "malformed ClientHello");
  }
  if (list_contains_u16(out->cipher_suites, 0x00ff)) out->secure_renegotiation = true;  // SCSV
  if (r.empty()) return true;  // no extensions at all

  Reader exts;
  if (!r.u16_prefixed(&exts) || !r.empty()) {
    return fail(e, Alert::decode_error, "malformed ClientHello extensions");
  }
  SeenExtensions seen;
  while (!exts.empty()) {
    uint16_t type;
    Reader ext;
    size_t ext_start = body.size() - exts.remaining();
    if (!exts.u16(&type) || !exts.u16_prefixed(&ext)) {
      return fail(e, Alert::decode_error, "malformed ClientHello extension");
    }
    if (!seen.first_time(type)) {
      return fail(e, Alert::illegal_parameter, "duplicate ClientHello extension");
    }
    if (out->has_pre_shared_key) {
      // pre_shared_key must be the last extension (RFC 8446 4.2.11).
      return fail(e, Alert::illegal_parameter, "pre_shared_key is not the last extension");
    }
    bool ok = true;
    switch (static_cast<ExtensionType>(type)) {
      case ExtensionType::server_name: {
        // ServerNameList: one host_name entry is all TLS defines (RFC 6066 3).
        Reader list;
        uint8_t name_type;
        ok = ext.u16_prefixed(&list) && !list.empty() && list.u8(&name_type) && name_type == 0 &&
             list.u16_prefixed(&out->server_name) && !out->server_name.empty() && list.empty();
        out->has_server_name = true;
        break;
      }
      case ExtensionType::supported_groups:
        ok = parse_u16_list(ext, &out->supported_groups);
        out->has_supported_groups = true;
        break;
      case ExtensionType::ec_point_formats:
        ok = ext.u8_prefixed(&out->ec_point_formats) && !out->ec_point_formats.empty();
        out->has_ec_point_formats = true;
        break;
      case ExtensionType::signature_algorithms:
        ok = parse_u16_list(ext, &out->signature_algorithms);
        out->has_signature_algorithms = true;
        break;
      case ExtensionType::extended_master_secret:
        out->extended_master_secret = true;
        break;
      case ExtensionType::renegotiation_info: {
        ByteView info;
        // An initial handshake carries an empty renegotiated_connection.
        ok = ext.u8_prefixed(&info);
        if (ok && !info.empty()) {
          return fail(e, Alert::handshake_failure, "renegotiation_info is not empty");
        }
        out->secure_renegotiation = true;
        break;
      }
      case ExtensionType::session_ticket:
        out->session_ticket = ext.rest();
        ok = ext.skip(ext.remaining());
        out->has_session_ticket = true;
        break;
      case ExtensionType::supported_versions: {
        ok = ext.u8_prefixed(&out->supported_versions) && !out->supported_versions.empty() &&
             out->supported_versions.size() % 2 == 0;
        out->has_supported_versions = true;
        break;
      }
      case ExtensionType::key_share:
        ok = ext.u16_prefixed(&out->key_shares);
        out->has_key_share = true;
        break;
      case ExtensionType::psk_key_exchange_modes:
        ok = ext.u8_prefixed(&out->psk_key_exchange_modes) && !out->psk_key_exchange_modes.empty();
        out->has_psk_key_exchange_modes = true;
        break;
      case ExtensionType::cookie:
        ok = ext.u16_prefixed(&out->cookie) && !out->cookie.empty();
        out->has_cookie = true;
        break;
      case ExtensionType::pre_shared_key: {
        ByteView identities, binders;
        ok = ext.u16_prefixed(&identities) && !identities.empty() && ext.u16_prefixed(&binders) &&
             !binders.empty();
        // Only a whole OfferedPsks has a binders offset and a view: a
        // truncated one would point past the body.
        if (ok) {
          out->binders_offset = ext_start + 4 + 2 + identities.size();
          out->pre_shared_key =
              body.subspan(ext_start + 4, 2 + identities.size() + 2 + binders.size());
        }
        out->has_pre_shared_key = true;
        break;
      }
      default:
        // Unknown extensions are ignored (RFC 8446 4.2).
        ok = ext.skip(ext.remaining());
        break;
    }
    if (!ok || !ext.empty()) return fail(e, Alert::decode_error, "malformed ClientHello extension");
  }
  return true;
}

bool parse_server_hello(ByteView body, ServerHello* out, Error* e) {
  *out = ServerHello{};
  Reader r(body);
  uint8_t compression;
  if (!r.u16(&out->legacy_version) || !r.bytes(32, &out->random) ||
      !r.u8_prefixed(&out->session_id) || out->session_id.size() > 32 ||
      !r.u16(&out->cipher_suite) || !r.u8(&compression)) {
    return fail(e, Alert::decode_error, "malformed ServerHello");
  }
  if (compression != 0) return fail(e, Alert::illegal_parameter, "ServerHello compression");
  out->is_hello_retry_request = is_hrr_random(out->random);
  if (r.empty()) return true;

  Reader exts;
  if (!r.u16_prefixed(&exts) || !r.empty()) {
    return fail(e, Alert::decode_error, "malformed ServerHello extensions");
  }
  SeenExtensions seen;
  while (!exts.empty()) {
    uint16_t type;
    Reader ext;
    if (!exts.u16(&type) || !exts.u16_prefixed(&ext)) {
      return fail(e, Alert::decode_error, "malformed ServerHello extension");
    }
    if (!seen.first_time(type)) {
      return fail(e, Alert::illegal_parameter, "duplicate ServerHello extension");
    }
    bool ok = true;
    switch (static_cast<ExtensionType>(type)) {
      case ExtensionType::server_name:
        // A TLS 1.2 server that used the client's SNI acknowledges it with
        // empty data (RFC 6066 3); its presence is all there is to it.
        out->server_name_acknowledged = true;
        break;
      case ExtensionType::extended_master_secret:
        out->extended_master_secret = true;
        break;
      case ExtensionType::renegotiation_info: {
        ByteView info;
        ok = ext.u8_prefixed(&info);
        if (ok && !info.empty()) {
          return fail(e, Alert::handshake_failure, "renegotiation_info is not empty");
        }
        out->secure_renegotiation = true;
        break;
      }
      case ExtensionType::session_ticket:
        out->session_ticket = true;
        break;
      case ExtensionType::ec_point_formats: {
        ByteView formats;
        ok = ext.u8_prefixed(&formats) && !formats.empty();
        // The server must accept the uncompressed form (RFC 8422 5.2).
        if (ok && !list_contains_u8(formats, 0)) {
          return fail(e, Alert::illegal_parameter, "no uncompressed point format");
        }
        out->has_ec_point_formats = true;
        break;
      }
      case ExtensionType::supported_versions:
        ok = ext.u16(&out->supported_version);
        break;
      case ExtensionType::key_share:
        out->has_key_share = true;
        ok = ext.u16(&out->key_share_group);
        if (ok && !out->is_hello_retry_request) {
          ok = ext.u16_prefixed(&out->key_share) && !out->key_share.empty();
        }
        break;
      case ExtensionType::cookie:
        ok = ext.u16_prefixed(&out->cookie) && !out->cookie.empty();
        out->has_cookie = true;
        break;
      case ExtensionType::pre_shared_key:
        ok = ext.u16(&out->selected_identity);
        out->has_pre_shared_key = true;
        break;
      default:
        // A client must reject an extension it did not offer (RFC 8446 4.1.3,
        // RFC 5246 7.4.1.4); it offered only the ones above.
        return fail(e, Alert::unsupported_extension, "ServerHello has an unrequested extension");
    }
    if (!ok || !ext.empty()) return fail(e, Alert::decode_error, "malformed ServerHello extension");
  }
  // TLS 1.3 moved the SNI acknowledgement to EncryptedExtensions; a known
  // extension in the wrong message is illegal_parameter (RFC 8446 4.2).
  if (out->supported_version != 0 && out->server_name_acknowledged) {
    return fail(e, Alert::illegal_parameter, "server_name in a TLS 1.3 ServerHello");
  }
  return true;
}

bool parse_certificate(ByteView body, bool tls13, std::span<ByteView> out_certs, size_t* out_count,
                       Error* e, bool allow_empty) {
  Reader r(body);
  if (tls13) {
    ByteView context;
    if (!r.u8_prefixed(&context)) return fail(e, Alert::decode_error, "malformed Certificate");
    if (!context.empty()) {
      return fail(e, Alert::illegal_parameter, "Certificate has a request context");
    }
  }
  Reader list;
  if (!r.u24_prefixed(&list) || !r.empty()) {
    return fail(e, Alert::decode_error, "malformed Certificate");
  }
  size_t n = 0;
  while (!list.empty()) {
    ByteView cert, extensions;
    if (!list.u24_prefixed(&cert) || cert.empty() || (tls13 && !list.u16_prefixed(&extensions))) {
      return fail(e, Alert::decode_error, "malformed Certificate entry");
    }
    if (n == out_certs.size()) {
      return fail(e, Alert::bad_certificate, "certificate chain too long");
    }
    out_certs[n++] = cert;
  }
  if (n == 0 && !allow_empty) return fail(e, Alert::decode_error, "empty Certificate");
  *out_count = n;
  return true;
}

bool parse_certificate_request(ByteView body, bool tls13, CertificateRequest* out, Error* e) {
  *out = CertificateRequest{};
  Reader r(body);
  if (!tls13) {
    if (!r.u8_prefixed(&out->certificate_types) || out->certificate_types.empty() ||
        !parse_u16_list(r, &out->signature_algorithms) ||
        !r.u16_prefixed(&out->certificate_authorities) || !r.empty()) {
      return fail(e, Alert::decode_error, "malformed CertificateRequest");
    }
    return true;
  }
  Reader exts;
  if (!r.u8_prefixed(&out->context) || !r.u16_prefixed(&exts) || exts.empty() || !r.empty()) {
    return fail(e, Alert::decode_error, "malformed CertificateRequest");
  }
  SeenExtensions seen;
  bool has_signature_algorithms = false;
  while (!exts.empty()) {
    uint16_t type;
    Reader ext;
    if (!exts.u16(&type) || !exts.u16_prefixed(&ext)) {
      return fail(e, Alert::decode_error, "malformed CertificateRequest extension");
    }
    if (!seen.first_time(type)) {
      return fail(e, Alert::illegal_parameter, "duplicate CertificateRequest extension");
    }
    bool ok = true;
    switch (static_cast<ExtensionType>(type)) {
      case ExtensionType::signature_algorithms:
        ok = parse_u16_list(ext, &out->signature_algorithms);
        has_signature_algorithms = true;
        break;
      case ExtensionType::certificate_authorities:
        ok = ext.u16_prefixed(&out->certificate_authorities) &&
             !out->certificate_authorities.empty();
        break;
      default:
        // Unrecognized ones, and signature_algorithms_cert, which the
        // chain's own signatures are not checked against, are ignored
        // (RFC 8446 4.3.2).
        ok = ext.skip(ext.remaining());
        break;
    }
    if (!ok || !ext.empty()) {
      return fail(e, Alert::decode_error, "malformed CertificateRequest extension");
    }
  }
  if (!has_signature_algorithms) {
    return fail(e, Alert::missing_extension, "CertificateRequest lacks signature_algorithms");
  }
  return true;
}

bool parse_server_key_exchange(ByteView body, ServerKeyExchange* out, Error* e) {
  Reader r(body);
  uint8_t curve_type;
  if (!r.u8(&curve_type) || !r.u16(&out->group) || !r.u8_prefixed(&out->public_key) ||
      out->public_key.empty()) {
    return fail(e, Alert::decode_error, "malformed ServerKeyExchange");
  }
  // Only named curves exist in TLS today (RFC 8422 5.4).
  if (curve_type != 3) return fail(e, Alert::illegal_parameter, "ServerKeyExchange curve type");
  out->params = body.first(body.size() - r.remaining());
  if (!r.u16(&out->signature_scheme) || !r.u16_prefixed(&out->signature) ||
      out->signature.empty() || !r.empty()) {
    return fail(e, Alert::decode_error, "malformed ServerKeyExchange signature");
  }
  return true;
}

bool parse_certificate_verify(ByteView body, CertificateVerify* out, Error* e) {
  Reader r(body);
  if (!r.u16(&out->signature_scheme) || !r.u16_prefixed(&out->signature) ||
      out->signature.empty() || !r.empty()) {
    return fail(e, Alert::decode_error, "malformed CertificateVerify");
  }
  return true;
}

}  // namespace hsbench::tls
