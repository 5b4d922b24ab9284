// The engine's server state machine, both versions, fed an arbitrary client:
// input = scenario:u8 script, the client's flights as fuzz/harness.h
// describes them. Seeds are genuine client flights, which take the server
// through to "done"; mutations explore every state from there.
#include "harness.h"

using namespace hsbench;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  fuzz::World& world = fuzz::World::get();
  const fuzz::FuzzScenario* s = world.scenario(data[0]);
  if (s == nullptr) return -1;
  world.replay(*s, Side::server, fuzz::parse_script(ByteView(data + 1, size - 1)));
  return 0;
}
