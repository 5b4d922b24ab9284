#include "drive/native.h"

namespace hsbench::drive {
namespace {
constexpr size_t kNativeDataLength = 64;
}  // namespace

Endpoint::Progress NativeEndpoint::fail(const char* what) {
  error_ = {tls::Alert::internal_error, what, false};
  // Let the peer see the alert, if the library wrote one.
  (void)transport_->send(&out_);
  return Progress::failed;
}

Endpoint::Progress NativeEndpoint::resume() {
  ByteView in;
  switch (transport_->receive(&in)) {
    case Io::ok:
    case Io::would_block:
      break;
    case Io::closed:
      return fail("the peer closed the connection");
    case Io::failed:
      return fail("the transport failed");
  }
  // The client speaks first: its first call has nothing to read.
  if (in.empty() && (started_ || side_ == Side::server)) return Progress::waiting;
  started_ = true;
  if (!established_) {
    const NativeConnection::Status st = native_->handshake(in, &out_);
    transport_->consume(in.size());
    in = {};
    if (st == NativeConnection::Status::failed) return fail("native handshake failed");
    established_ = st == NativeConnection::Status::established;
  }
  if (established_) {
    // Whatever followed the handshake (application data, a ticket); the
    // library keeps what it already took in with the handshake.
    plaintext_.clear();
    const bool read = native_->read(in, &plaintext_, &out_);
    transport_->consume(in.size());
    if (!read) return fail("native read failed");
    if (!plaintext_.empty()) got_data_ = true;
    if ((side_ == Side::client || got_data_) && !sent_data_) {
      if (!native_->write(data_, &out_)) return fail("native write failed");
      sent_data_ = true;
    }
  }
  if (transport_->send(&out_) != Io::ok) return fail("the transport failed");
  return established_ && got_data_ && sent_data_ ? Progress::done : Progress::waiting;
}

tls::HandshakeOutcome run_with_native(tls::Connection& engine, NativeConnection& native,
                                      std::string* out_native_error, HandshakeTrace* trace) {
  MemoryLink link;
  const Side native_side = peer(engine.side());
  const Bytes data(kNativeDataLength, static_cast<uint8_t>('n'));
  EngineEndpoint e(&engine, &link.end(engine.side()));
  NativeEndpoint n(&native, native_side, &link.end(native_side), data);
  e.begin(trace);
  const PairOutcome pair = engine.side() == Side::client ? run_pair(e, n) : run_pair(n, e);
  e.end();
  if (!pair.ok) *out_native_error = n.native_error();
  return {pair.ok, pair.failed_side, pair.error};
}

}  // namespace hsbench::drive
