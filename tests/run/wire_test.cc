// Bytes on the wire (run/wire.h): the flights the trace's write steps make
// are the bytes the engine's link carried, flight by flight, for every
// scenario; the round trips of a fresh connection are those of each
// protocol's message flow; and slow start's windows are counted.
#include "run/wire.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "drive/configs.h"
#include "drive/memory_pair.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"
#include "tls/driver.h"

namespace hsbench {
namespace {

TEST(Wire, SlowStartAddsARoundTripPerWindowRunOut) {
  // Windows of 10, 20, 40 segments.
  EXPECT_EQ(extra_round_trips(0), 0);
  EXPECT_EQ(extra_round_trips(10), 0);
  EXPECT_EQ(extra_round_trips(11), 1);
  EXPECT_EQ(extra_round_trips(30), 1);
  EXPECT_EQ(extra_round_trips(31), 2);
  EXPECT_EQ(extra_round_trips(70), 2);
  EXPECT_EQ(extra_round_trips(71), 3);
}

// A server flight of 20,000 bytes (a large chain): 14 segments, beyond the
// initial window, one round trip more.
TEST(Wire, AFlightBeyondTheInitialWindowCostsARoundTrip) {
  HandshakeTrace t;
  auto write = [&](Side side, Message m, uint32_t bytes) {
    Step& s = t.steps[t.step_count++];
    s.side = side;
    s.action = Action::write;
    s.message = m;
    s.wire_bytes = bytes;
  };
  write(Side::client, Message::client_hello, 300);
  write(Side::server, Message::server_hello, 100);
  write(Side::server, Message::certificate, 20000);
  write(Side::server, Message::finished, 60);
  write(Side::client, Message::finished, 60);
  write(Side::server, Message::new_session_ticket, 250);
  const WireResult w = wire_of(t);
  ASSERT_EQ(w.flights.size(), 4u);
  EXPECT_EQ(w.flights[1].bytes, 20160u);
  EXPECT_EQ(w.flights[1].segments, 14);
  EXPECT_FALSE(w.flights[1].fits_initial_window);
  EXPECT_TRUE(w.flights[2].handshake);
  EXPECT_FALSE(w.flights[3].handshake);  // the ticket, after both Finished
  EXPECT_EQ(w.round_trips, 3);           // TCP, the server's flight, its second window
  WireResult modelled = w;
  model_rtt(&modelled, 1500, 20);
  EXPECT_DOUBLE_EQ(*modelled.modelled_ms, 1.5 + 3 * 20);
}

// What the link carried, send by send, merged while one side sends.
class Recorder : public tls::FlightObserver {
 public:
  void on_flight(Side from, ByteView bytes) override {
    if (bytes.empty()) return;
    if (flights.empty() || flights.back().first != from) flights.push_back({from, 0});
    flights.back().second += bytes.size();
  }
  std::vector<std::pair<Side, uint64_t>> flights;
};

int round_trips_of(const Scenario& s) {
  if (s.version == TlsVersion::tls13) return s.hello_retry ? 3 : 2;
  return s.resumption ? 2 : 3;  // TLS 1.2: abbreviated, or full
}

class WireOf : public ::testing::TestWithParam<std::string> {};

TEST_P(WireOf, EveryScenarioIsTheBytesTheLinkCarried) {
  std::string error;
  auto backend = load_backend(GetParam(), &error);
  ASSERT_NE(backend, nullptr) << error;
  for (const Scenario& s : all_scenarios()) {
    SCOPED_TRACE(s.id);
    if (engine_missing_algorithm(s, backend->backend())) continue;  // the hybrid, on most
    auto pki = read_pki(s.cert, default_pki_files(default_pki_dir(), s.cert), &error);
    ASSERT_NE(pki, nullptr) << error;
    auto creds =
        prepare_credentials(backend->backend(), *pki, kServerName, &error, !s.client_cert.empty());
    ASSERT_NE(creds, nullptr) << error;
    Recorder recorder;
    drive::PairOptions options;
    auto pair =
        drive::MemoryPair::make(backend->backend(), backend->backend(),
                                engine_client_config(s, creds->trust.get(), creds->client.get()),
                                engine_server_config(s, creds.get()), options, &error);
    ASSERT_NE(pair, nullptr) << error;
    if (s.resumption) {
      ASSERT_TRUE(pair->prime_ticket(&error)) << error;
    }
    pair->set_observer(&recorder);
    HandshakeTrace trace;
    ASSERT_TRUE(pair->run(&trace).ok);
    const WireResult w = wire_of(trace);
    ASSERT_EQ(w.flights.size(), recorder.flights.size());
    for (size_t i = 0; i < w.flights.size(); i++) {
      EXPECT_EQ(w.flights[i].side, recorder.flights[i].first) << i;
      EXPECT_EQ(w.flights[i].bytes, recorder.flights[i].second) << i;
    }
    EXPECT_EQ(w.flights.front().messages.front().message, Message::client_hello);
    EXPECT_EQ(w.round_trips, round_trips_of(s));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, WireOf, ::testing::Values("null", "openssl"));

}  // namespace
}  // namespace hsbench
