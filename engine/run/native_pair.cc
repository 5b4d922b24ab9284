#include "run/native_pair.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "drive/configs.h"
#include "tls/clock.h"
#include "tls/protocol.h"

namespace hsbench {

// Step timing of a native handshake. The library is a black box between the
// calls the driver makes into it (SSL_do_handshake through handshake(),
// SSL_write through write(), SSL_read through read()); inside a call, the
// only clock readings are the library's message callbacks. So within one
// call of one side, the boundaries are: the call's entry, each message
// callback, and the call's return. Both libraries call the message callback
//  - for a message they write, once it is built (OpenSSL: also sealed into
//    its record): the callback *closes* the time of that write step;
//  - for a message they read, once its whole body has arrived and before
//    they process it: the callback *opens* the time of that read step.
// The return of write() closes the step that writes application data, and
// the return of read() closes the step that reads it (the library hands the
// data over only then). Each interval between two neighbouring boundaries
// goes to one step:
//  - if it ends at a closing boundary, to that step (building the message);
//  - else if it starts at an opening boundary, to that step (processing the
//    message, and reading the next record when the next message is in one);
//  - else if it ends at an opening boundary, to that step (reading and
//    decrypting its record);
//  - else if it starts at a closing boundary (the rest of the call after the
//    last message written: flushing; BoringSSL seals a flight's records
//    only here), to that step;
//  - else (a call that reported no message) to the side's next step.
// Where an interval runs from an opening to a closing boundary, the library
// finished processing one message and built the next with no callback in
// between: the interval goes to the message built, and both steps are
// marked approximate (the read step lacks the end of its processing, the
// write step holds it). When such a write is followed by a read, the
// library may have finished the first read only after the write, so that
// next read is marked approximate too. A read step followed directly by another read and
// then a write may have no time of its own at all; it is kept, with 0 and
// marked approximate. Nothing is invented: every nanosecond of the calls
// goes to exactly one step, and the time between calls (the driver moving
// bytes) to none.
namespace {

constexpr int kMaxCalls = 64;
constexpr size_t kApplicationDataLength = 64;  // as the engine's pairs send

std::optional<Message> message_of(const NativeEvent& e) {
  using tls::HandshakeType;
  if (e.content_type == static_cast<uint8_t>(tls::ContentType::change_cipher_spec)) {
    return Message::change_cipher_spec;
  }
  if (e.handshake_type == kHelloRetryRequestType) return Message::hello_retry_request;
  switch (static_cast<HandshakeType>(e.handshake_type)) {
    case HandshakeType::client_hello:
      return Message::client_hello;
    case HandshakeType::server_hello:
      return Message::server_hello;
    case HandshakeType::new_session_ticket:
      return Message::new_session_ticket;
    case HandshakeType::encrypted_extensions:
      return Message::encrypted_extensions;
    case HandshakeType::certificate:
      return Message::certificate;
    case HandshakeType::certificate_request:
      return Message::certificate_request;
    case HandshakeType::server_key_exchange:
      return Message::server_key_exchange;
    case HandshakeType::server_hello_done:
      return Message::server_hello_done;
    case HandshakeType::certificate_verify:
      return Message::certificate_verify;
    case HandshakeType::client_key_exchange:
      return Message::client_key_exchange;
    case HandshakeType::finished:
      return Message::finished;
    default:
      return std::nullopt;  // not one the scenarios send: no boundary
  }
}

uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(StepClock::now().time_since_epoch())
          .count());
}

enum class Call { handshake, write_data, read_data };

class NativePair final : public EnginePair {
 public:
  NativePair(const Scenario& s, std::unique_ptr<NativeContext> client,
             std::unique_ptr<NativeContext> server)
      : version_(s.version),
        resumption_(s.resumption),
        client_ctx_(std::move(client)),
        server_ctx_(std::move(server)),
        data_(kApplicationDataLength, static_cast<uint8_t>('h')) {}

  // For resumption scenarios: one full handshake, untimed, for a ticket.
  bool prime(std::string* out_error) {
    if (!resumption_) return true;
    const bool ok = handshake(nullptr, out_error);
    if (ok) session_ = client_->session();
    release();
    if (!ok) return false;
    if (session_ == nullptr) {
      *out_error = "the first native handshake gave no ticket";
      return false;
    }
    return true;
  }

  void make_deterministic(uint64_t) override {}
  FailureKind failure_kind() const override { return failure_kind_; }

  bool run(HandshakeTrace* trace, std::string* out_error) override {
    failure_kind_ = FailureKind::failed;
    bool ok = handshake(trace, out_error);
    if (ok && resumption_) {
      if (!client_->resumed() || !server_->resumed()) {
        *out_error = "the native session was not resumed";
        ok = false;
      } else if (auto session = client_->session()) {
        session_ = std::move(session);
      }
    }
    release();
    return ok;
  }

 private:
  // Each handshake's connections are freed at its end (with their
  // buffers), as a server frees a finished connection's handshake state.
  void release() {
    client_.reset();
    server_.reset();
  }

  bool handshake(HandshakeTrace* trace, std::string* out_error) {
    if (trace != nullptr) {
      trace->clear();
      trace->version = version_;
      pending_ns_[0] = pending_ns_[1] = 0;
    }
    client_ = client_ctx_->new_connection(resumption_ ? session_.get() : nullptr);
    server_ = server_ctx_->new_connection(nullptr);
    if (client_ == nullptr || server_ == nullptr) {
      *out_error = "the library made no connection";
      return false;
    }
    if (trace != nullptr) {
      logs_[0].clear();
      logs_[1].clear();
      client_->set_event_log(&logs_[0]);
      server_->set_event_log(&logs_[1]);
    }
    to_client_.clear();
    to_server_.clear();
    const uint64_t start = trace != nullptr ? now_ns() : 0;
    bool ok = exchange(trace, out_error);
    if (trace != nullptr) {
      trace->total_ns = now_ns() - start;
      client_->set_event_log(nullptr);
      server_->set_event_log(nullptr);
      if (logs_[0].dropped + logs_[1].dropped > 0) trace->overflow = true;
    }
    return ok;
  }

  bool exchange(HandshakeTrace* trace, std::string* out_error) {
    NativeConnection* sides[2] = {client_.get(), server_.get()};
    Bytes* inputs[2] = {&to_client_, &to_server_};
    Bytes* outputs[2] = {&to_server_, &to_client_};
    bool done[2] = {false, false};
    bool first = true;
    int current = 0;  // the client speaks first
    for (int calls = 0; !(done[0] && done[1]); calls++) {
      if (calls == kMaxCalls) {
        *out_error = "the native handshake did not finish";
        return false;
      }
      const int other = 1 - current;
      if (!done[current] && (first || !inputs[current]->empty())) {
        first = false;
        in_.swap(*inputs[current]);
        inputs[current]->clear();
        const size_t mark = logs_[current].count;
        const uint64_t t0 = trace != nullptr ? now_ns() : 0;
        const NativeConnection::Status st = sides[current]->handshake(in_, outputs[current]);
        if (trace != nullptr) {
          account(trace, static_cast<Side>(current), Call::handshake, t0, now_ns(), mark);
        }
        if (st == NativeConnection::Status::failed) {
          // Let the peer see the alert, if any, for its own account of it.
          if (!outputs[current]->empty() && !done[other]) {
            Bytes ignored;
            (void)sides[other]->handshake(*outputs[current], &ignored);
          }
          *out_error = fmt::format("native {} failed: {}", name(static_cast<Side>(current)),
                                   sides[current]->error());
          failure_kind_ = sides[current]->error_kind();
          return false;
        }
        done[current] = st == NativeConnection::Status::established;
      } else if (!done[current] && !done[other] && inputs[other]->empty()) {
        *out_error = "the native handshake stalled: neither side has bytes to read";
        return false;
      }
      current = other;
    }
    // One application data record each way, the client first; whatever
    // followed the handshake (tickets) is read with it.
    return data_call(trace, Side::client, Call::write_data, out_error) &&
           data_call(trace, Side::server, Call::read_data, out_error) &&
           data_call(trace, Side::server, Call::write_data, out_error) &&
           data_call(trace, Side::client, Call::read_data, out_error);
  }

  bool data_call(HandshakeTrace* trace, Side side, Call call, std::string* out_error) {
    const size_t i = static_cast<size_t>(side);
    NativeConnection& c = i == 0 ? *client_ : *server_;
    Bytes& in = i == 0 ? to_client_ : to_server_;
    Bytes& out = i == 0 ? to_server_ : to_client_;
    const size_t mark = logs_[i].count;
    const uint64_t t0 = trace != nullptr ? now_ns() : 0;
    bool ok;
    if (call == Call::write_data) {
      ok = c.write(data_, &out);
    } else {
      plaintext_.clear();
      in_.swap(in);
      in.clear();
      ok = c.read(in_, &plaintext_, &out) && plaintext_.size() == data_.size();
    }
    if (trace != nullptr) account(trace, side, call, t0, now_ns(), mark);
    if (!ok) {
      *out_error = fmt::format("native {} {} application data failed: {}", name(side),
                               call == Call::write_data ? "writing" : "reading",
                               c.error().empty() ? "not the record sent" : c.error());
    }
    return ok;
  }

  // Turns one call's boundaries into steps (the report's note on native steps, report/util.cc).
  void account(HandshakeTrace* trace, Side side, Call call, uint64_t t0, uint64_t t1,
               size_t first_event) {
    enum Kind : uint8_t { entry, opens, closes, exit };
    struct Boundary {
      uint64_t ns;
      Kind kind;
      size_t step;  // index into trace->steps; SIZE_MAX when not recorded
    };
    Boundary b[NativeEventLog::kMaxEvents + 2];
    size_t n = 0;
    const size_t si = static_cast<size_t>(side);
    auto add_step = [&](Action action, Message message) -> size_t {
      if (trace->step_count == HandshakeTrace::kMaxSteps) {
        trace->overflow = true;
        return SIZE_MAX;
      }
      Step& s = trace->steps[trace->step_count];
      s = Step{};
      s.side = side;
      s.action = action;
      s.message = message;
      s.ns = pending_ns_[si];
      pending_ns_[si] = 0;
      return trace->step_count++;
    };
    b[n++] = {t0, entry, SIZE_MAX};
    const NativeEventLog& log = logs_[si];
    for (size_t k = first_event; k < log.count; k++) {
      const NativeEvent& e = log.events[k];
      std::optional<Message> m = message_of(e);
      if (!m) continue;
      const uint64_t ns = std::clamp(e.ns, t0, t1);
      b[n++] = {ns, e.sent ? closes : opens, add_step(e.sent ? Action::write : Action::read, *m)};
    }
    if (call == Call::handshake) {
      b[n++] = {t1, exit, SIZE_MAX};
    } else {
      b[n++] = {t1, closes,
                add_step(call == Call::write_data ? Action::write : Action::read,
                         Message::application_data)};
    }
    auto charge = [&](const Boundary& to, uint64_t ns) {
      if (to.step != SIZE_MAX) trace->steps[to.step].ns += ns;
    };
    auto mark_approximate = [&](const Boundary& x) {
      if (x.step != SIZE_MAX) trace->steps[x.step].approximate = true;
    };
    for (size_t k = 0; k + 1 < n; k++) {
      const Boundary& a = b[k];
      const Boundary& z = b[k + 1];
      const uint64_t ns = z.ns - a.ns;
      if (z.kind == closes) {
        charge(z, ns);
        if (a.kind == opens) {
          mark_approximate(a);
          mark_approximate(z);
        }
      } else if (a.kind == opens) {
        charge(a, ns);
      } else if (z.kind == opens) {
        charge(z, ns);
        // After a read, a write, then a read: the library may finish the
        // first read's processing only after the write (BoringSSL's TLS 1.3
        // client sends its compatibility ChangeCipherSpec on seeing the
        // ServerHello, before processing it), so this interval may hold it.
        if (a.kind == closes && k > 0 && b[k - 1].kind == opens) mark_approximate(z);
      } else if (a.kind == closes) {
        charge(a, ns);
      } else {
        pending_ns_[si] += ns;  // a call that reported nothing
      }
    }
  }

  TlsVersion version_;
  bool resumption_;
  std::unique_ptr<NativeContext> client_ctx_;
  std::unique_ptr<NativeContext> server_ctx_;
  std::unique_ptr<NativeConnection> client_;
  std::unique_ptr<NativeConnection> server_;
  std::unique_ptr<NativeSession> session_;
  NativeEventLog logs_[2];
  uint64_t pending_ns_[2] = {0, 0};
  FailureKind failure_kind_ = FailureKind::failed;
  const Bytes data_;
  Bytes to_client_, to_server_, in_, plaintext_;
};

}  // namespace

std::unique_ptr<EnginePair> make_native_pair(const Scenario& scenario, Backend& backend,
                                             const Pki& pki, Failure* out_failure) {
  if (!backend.native_tls()) {
    *out_failure = {FailureKind::unsupported,
                    fmt::format("{} has no TLS stack of its own", backend.name())};
    return nullptr;
  }
  // A KEM group the library's crypto lacks, its TLS stack lacks too.
  const Algorithms& a = backend.algorithms();
  if (scenario.kx == KxMode::ecdhe && is_kem(scenario.group) &&
      std::find(a.groups.begin(), a.groups.end(), scenario.group) == a.groups.end()) {
    *out_failure = {FailureKind::unsupported,
                    unsupported_group_reason(a, backend.name(), scenario.group)};
    return nullptr;
  }
  Failure failure;
  auto client = backend.new_native_context(native_client_config(scenario, pki), &failure);
  if (client == nullptr) {
    *out_failure = {failure.kind, fmt::format("native client: {}", failure.reason)};
    return nullptr;
  }
  auto server = backend.new_native_context(native_server_config(scenario, pki), &failure);
  if (server == nullptr) {
    *out_failure = {failure.kind, fmt::format("native server: {}", failure.reason)};
    return nullptr;
  }
  auto pair = std::make_unique<NativePair>(scenario, std::move(client), std::move(server));
  if (!pair->prime(&out_failure->reason)) {
    out_failure->kind = pair->failure_kind();
    return nullptr;
  }
  return pair;
}

std::unique_ptr<EnginePair> make_native_pair(const Scenario& scenario, Backend& backend,
                                             const Pki& pki, std::string* out_error) {
  Failure failure;
  auto pair = make_native_pair(scenario, backend, pki, &failure);
  if (pair == nullptr) *out_error = std::move(failure.reason);
  return pair;
}

}  // namespace hsbench
