#include "hsbench/trace.h"

#include <string>

namespace hsbench {

std::string_view name(Message m) {
  switch (m) {
    case Message::client_hello: return "ClientHello";
    case Message::server_hello: return "ServerHello";
    case Message::hello_retry_request: return "HelloRetryRequest";
    case Message::encrypted_extensions: return "EncryptedExtensions";
    case Message::certificate: return "Certificate";
    case Message::server_key_exchange: return "ServerKeyExchange";
    case Message::server_hello_done: return "ServerHelloDone";
    case Message::certificate_verify: return "CertificateVerify";
    case Message::client_key_exchange: return "ClientKeyExchange";
    case Message::change_cipher_spec: return "ChangeCipherSpec";
    case Message::finished: return "Finished";
    case Message::new_session_ticket: return "NewSessionTicket";
    case Message::application_data: return "ApplicationData";
    case Message::certificate_request:
      return "CertificateRequest";
  }
  return "unknown";
}

std::string_view user_step_name(int user_step) {
  switch (user_step) {
    case 1: return "ClientHello";
    case 2: return "ServerHello";
    case 3: return "Certificate";
    case 4: return "Key exchange";
    case 5: return "Server Finished";
    case 6: return "Client key exchange";
    case 7: return "Client Finished";
    case 8: return "Session established";
  }
  return "Other";
}

int user_step(TlsVersion version, Message message, Side sender) {
  switch (message) {
    case Message::client_hello: return 1;
    case Message::server_hello:
    case Message::hello_retry_request: return 2;
    case Message::encrypted_extensions:
      return 3;
    // Mutual TLS: the client's Certificate and CertificateVerify are step 6
    // in both versions, where they stand in the wire order (TLS 1.2: before
    // and after ClientKeyExchange; TLS 1.3: between the server's Finished
    // and the client's).
    case Message::certificate:
      return sender == Side::server ? 3 : 6;
    case Message::certificate_verify:
      return sender == Side::server ? 4 : 6;
    // The server asks in its first flight: TLS 1.2 between ServerKeyExchange
    // and ServerHelloDone, TLS 1.3 between EncryptedExtensions and Certificate.
    case Message::certificate_request:
      return version == TlsVersion::tls12 ? 4 : 3;
    case Message::server_key_exchange:
    case Message::server_hello_done:
      return 4;
    case Message::client_key_exchange: return 6;
    case Message::change_cipher_spec:
    case Message::finished: return sender == Side::server ? 5 : 7;
    case Message::new_session_ticket:
      // A TLS 1.2 ticket arrives just before the server's Finished; a TLS
      // 1.3 ticket after the handshake, beside the first application data.
      return version == TlsVersion::tls12 ? 5 : 8;
    case Message::application_data: return 8;
  }
  return 0;
}

namespace {

std::string_view prf_label_name(uint16_t label) {
  switch (static_cast<PrfLabel>(label)) {
    case PrfLabel::none: return "";
    case PrfLabel::master_secret: return "master_secret";
    case PrfLabel::extended_master_secret: return "extended_master_secret";
    case PrfLabel::key_expansion: return "key_expansion";
    case PrfLabel::client_finished: return "client_finished";
    case PrfLabel::server_finished: return "server_finished";
  }
  return "unknown";
}

std::string with(std::string_view kind, std::string_view what) {
  std::string s(kind);
  s += ':';
  s += what;
  return s;
}

}  // namespace

std::string op_name(CryptoOp op) {
  auto hash = [&] { return name(static_cast<Hash>(op.alg)); };
  auto aead = [&] { return name(static_cast<Aead>(op.alg)); };
  auto group = [&] { return name(static_cast<Group>(op.alg)); };
  auto scheme = [&] { return name(static_cast<SignatureScheme>(op.alg)); };
  switch (op.kind) {
    case OpKind::random: return "random";
    case OpKind::hash: return with("hash", hash());
    case OpKind::hmac: return with("hmac", hash());
    case OpKind::hkdf_extract: return with("hkdf_extract", hash());
    case OpKind::hkdf_expand: return with("hkdf_expand", hash());
    case OpKind::prf: return with("prf", prf_label_name(op.detail));
    case OpKind::aead_key: return with("aead_key", aead());
    case OpKind::aead_seal: return with("aead_seal", aead());
    case OpKind::aead_open: return with("aead_open", aead());
    case OpKind::keygen: return with("keygen", group());
    case OpKind::derive: return with("derive", group());
    case OpKind::sign: return with("sign", scheme());
    case OpKind::verify: return with("verify", scheme());
    case OpKind::rsa_encrypt: return "encrypt:rsa" + std::to_string(op.detail) + "-pkcs1";
    case OpKind::rsa_decrypt: return "decrypt:rsa" + std::to_string(op.detail) + "-pkcs1";
    case OpKind::parse_chain: return "parse_chain";
    case OpKind::verify_chain: return "verify_chain";
    case OpKind::kem_keygen: return with("kem_keygen", group());
    case OpKind::kem_encap: return with("kem_encap", group());
    case OpKind::kem_decap: return with("kem_decap", group());
  }
  return "unknown";
}

}  // namespace hsbench
