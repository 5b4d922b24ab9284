// A library's own TLS stack (NativeConnection) as an Endpoint, so that the
// pair loop runs it against the engine: the interoperability test of the
// engine, in either direction.
#pragma once

#include <string>

#include "drive/pair.h"
#include "hsbench/backend.h"

namespace hsbench::drive {

// The handshake, then the default exchange: one application data record
// each way, the client's first. Reads whatever follows the handshake
// (tickets) with the data.
class NativeEndpoint final : public Endpoint {
 public:
  NativeEndpoint(NativeConnection* connection, Side side, Transport* transport, ByteView data)
      : native_(connection), side_(side), transport_(transport), data_(data) {}

  Progress resume() override;
  Side side() const override { return side_; }
  tls::Error error() const override { return error_; }
  // The library's account of the failure, one line.
  std::string native_error() const { return native_->error(); }

 private:
  Progress fail(const char* what);

  NativeConnection* native_;
  Side side_;
  Transport* transport_;
  ByteView data_;
  bool started_ = false, established_ = false, got_data_ = false, sent_data_ = false;
  Bytes out_, plaintext_;
  tls::Error error_;
};

// The engine connection (reset by the caller) against the library's, in
// memory. On failure, outcome.error is the failing side's view and
// *out_native_error the library's. With a trace, the engine's steps and
// crypto operations go there.
tls::HandshakeOutcome run_with_native(tls::Connection& engine, NativeConnection& native,
                                      std::string* out_native_error,
                                      HandshakeTrace* trace = nullptr);

}  // namespace hsbench::drive
