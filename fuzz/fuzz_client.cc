// The engine's client state machine, both versions, fed an arbitrary server:
// input = scenario:u8 script, the server's flights as fuzz/harness.h
// describes them. Seeds are genuine server flights, which take the client
// through to "done"; mutations explore every state from there.
#include "harness.h"

using namespace hsbench;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  fuzz::World& world = fuzz::World::get();
  const fuzz::FuzzScenario* s = world.scenario(data[0]);
  if (s == nullptr) return -1;
  world.replay(*s, Side::client, fuzz::parse_script(ByteView(data + 1, size - 1)));
  return 0;
}
