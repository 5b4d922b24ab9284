// One side's byte pipe to its peer, as the driver sees it: send what the
// connection wrote, receive what arrived, learn that the peer closed. The
// in-memory link of a pair is one; a non-blocking TCP socket is another:
// every call returns at once, and would_block says to come back when the
// socket is writable (send) or readable (receive).
#pragma once

#include <cstddef>

#include "hsbench/trace.h"
#include "tls/bytes.h"
#include "tls/driver.h"

namespace hsbench::drive {

enum class Io : uint8_t {
  ok,
  would_block,  // nothing moved now: wait for the pipe to be ready
  closed,       // the peer closed its end; nothing more will arrive
  failed,       // the pipe broke
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends bytes to the peer, removing what went from the front of *bytes
  // (which keeps its capacity). ok when all went; would_block when some is
  // left, to send again once the pipe is writable.
  virtual Io send(Bytes* bytes) = 0;
  // What has arrived and is not yet consumed, valid until the next call:
  // ok with at least one byte, would_block when there is none yet, closed
  // when there is none and never will be.
  virtual Io receive(ByteView* out_bytes) = 0;
  // Drops the first n bytes of what receive gave.
  virtual void consume(size_t n) = 0;
};

// One end of an in-memory link: sends into outbound, receives from inbound.
// A flight is whatever one send hands over; observer, if set, sees each.
// Sending into an empty outbound swaps buffers rather than copying, so a
// flight is copied once, into the receiving connection, and no buffer is
// reallocated once all have grown to the largest flight.
class MemoryTransport final : public Transport {
 public:
  MemoryTransport(Side side, Bytes* inbound, Bytes* outbound)
      : side_(side), inbound_(inbound), outbound_(outbound) {}
  void set_observer(tls::FlightObserver* observer) { observer_ = observer; }
  // From now on receive says closed once inbound is empty.
  void close_inbound() { inbound_closed_ = true; }

  // Inline, so that a runner that knows its transport is one (the pair
  // loop, measured) calls them directly.
  Io send(Bytes* bytes) override {
    if (bytes->empty()) return Io::ok;
    if (observer_ != nullptr) observer_->on_flight(side_, *bytes);
    if (outbound_->empty()) {
      outbound_->swap(*bytes);
    } else {
      outbound_->insert(outbound_->end(), bytes->begin(), bytes->end());
      bytes->clear();
    }
    return Io::ok;
  }
  Io receive(ByteView* out_bytes) override {
    *out_bytes = *inbound_;
    if (!inbound_->empty()) return Io::ok;
    return inbound_closed_ ? Io::closed : Io::would_block;
  }
  void consume(size_t n) override {
    if (n >= inbound_->size()) {
      inbound_->clear();
    } else {
      inbound_->erase(inbound_->begin(), inbound_->begin() + static_cast<std::ptrdiff_t>(n));
    }
  }

 private:
  Side side_;
  Bytes* inbound_;
  Bytes* outbound_;
  tls::FlightObserver* observer_ = nullptr;
  bool inbound_closed_ = false;
};

// Two connected ends: what the client sends, the server receives, and back.
class MemoryLink {
 public:
  MemoryLink() = default;
  MemoryLink(const MemoryLink&) = delete;
  MemoryLink& operator=(const MemoryLink&) = delete;

  MemoryTransport& end(Side side) { return side == Side::client ? client_ : server_; }
  void set_observer(tls::FlightObserver* observer) {
    client_.set_observer(observer);
    server_.set_observer(observer);
  }
  // Drops whatever is in flight (a new connection), keeping the buffers.
  void clear() {
    to_client_.clear();
    to_server_.clear();
  }
  // Bytes sent and not yet received.
  bool in_flight() const { return !to_client_.empty() || !to_server_.empty(); }

 private:
  Bytes to_client_, to_server_;
  MemoryTransport client_{Side::client, &to_client_, &to_server_};
  MemoryTransport server_{Side::server, &to_server_, &to_client_};
};

}  // namespace hsbench::drive
