#include "capture/recorder.h"

namespace hsbench::capture {

Bytes sent_by(const std::vector<Flight>& flights, Side side) {
  Bytes out;
  for (const Flight& f : flights) {
    if (f.from == side) out.insert(out.end(), f.bytes.begin(), f.bytes.end());
  }
  return out;
}

size_t total_bytes(const std::vector<Flight>& flights) {
  size_t n = 0;
  for (const Flight& f : flights) n += f.bytes.size();
  return n;
}

}  // namespace hsbench::capture
