#include "tls/native_driver.h"

namespace hsbench::tls {
namespace {
constexpr int kMaxRounds = 64;
constexpr size_t kNativeReplyLength = 64;
}  // namespace

HandshakeOutcome run_with_native(Connection& engine, NativeConnection& native,
                                 std::string* out_native_error) {
  HandshakeOutcome outcome;
  const bool native_is_client = engine.side() == Side::server;
  const Side native_side = peer(engine.side());
  bool engine_done = false, native_established = false, native_got_data = false;
  bool native_sent_data = false;
  Bytes to_native, to_engine, plaintext;
  const Bytes reply(kNativeReplyLength, static_cast<uint8_t>('n'));

  auto native_failed = [&](const char* what) {
    outcome.failed_side = native_side;
    outcome.error = {Alert::internal_error, what, false};
    *out_native_error = native.error();
    return outcome;
  };

  // The native client speaks first.
  bool engine_turn = !native_is_client;
  for (int round = 0; round < kMaxRounds; round++) {
    if (engine_turn) {
      engine.receive(to_engine);
      to_engine.clear();
      for (;;) {
        Connection::Status st = engine.advance();
        if (st == Connection::Status::step || st == Connection::Status::progressed) continue;
        to_native.insert(to_native.end(), engine.output().begin(), engine.output().end());
        engine.output().clear();
        if (st == Connection::Status::failed) {
          outcome.failed_side = engine.side();
          outcome.error = engine.error();
          Bytes ignored;
          (void)native.handshake(to_native, &ignored);  // let it see the alert
          *out_native_error = native.error();
          return outcome;
        }
        engine_done = st == Connection::Status::done;
        break;
      }
    } else {
      Bytes in;
      in.swap(to_native);
      if (!native_established) {
        NativeConnection::Status st = native.handshake(in, &to_engine);
        if (st == NativeConnection::Status::failed) return native_failed("native handshake failed");
        native_established = st == NativeConnection::Status::established;
        in.clear();
      }
      if (native_established) {
        // Whatever followed the handshake (application data, a ticket).
        if (!native.read(in, &plaintext, &to_engine)) return native_failed("native read failed");
        if (!plaintext.empty()) native_got_data = true;
        // The client speaks first once established; the server answers.
        bool should_send = native_is_client || native_got_data;
        if (should_send && !native_sent_data) {
          if (!native.write(reply, &to_engine)) return native_failed("native write failed");
          native_sent_data = true;
        }
      }
    }
    if (engine_done && native_got_data) {
      outcome.ok = true;
      return outcome;
    }
    engine_turn = !engine_turn;
  }
  outcome.failed_side = engine.side();
  outcome.error = {Alert::internal_error, "handshake with the native peer did not finish", false};
  *out_native_error = native.error();
  return outcome;
}

}  // namespace hsbench::tls
