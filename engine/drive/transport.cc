#include "drive/transport.h"

namespace hsbench::drive {

Io MemoryTransport::send(Bytes* bytes) {
  if (bytes->empty()) return Io::ok;
  if (observer_ != nullptr) observer_->on_flight(side_, *bytes);
  if (outbound_->empty()) {
    outbound_->swap(*bytes);
  } else {
    outbound_->insert(outbound_->end(), bytes->begin(), bytes->end());
  }
  bytes->clear();
  return Io::ok;
}

Io MemoryTransport::receive(ByteView* out_bytes) {
  *out_bytes = *inbound_;
  if (!inbound_->empty()) return Io::ok;
  return inbound_closed_ ? Io::closed : Io::would_block;
}

void MemoryTransport::consume(size_t n) {
  if (n >= inbound_->size()) {
    inbound_->clear();
  } else {
    inbound_->erase(inbound_->begin(), inbound_->begin() + static_cast<std::ptrdiff_t>(n));
  }
}

}  // namespace hsbench::drive
