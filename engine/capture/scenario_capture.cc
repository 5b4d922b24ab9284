#include "capture/scenario_capture.h"

#include <chrono>
#include <memory>

#include "drive/memory_pair.h"
#include "hsbench/engine.h"
#include "hsbench/report.h"
#include "drive/configs.h"

namespace hsbench::capture {

uint64_t now_us() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

bool record_scenario(const Scenario& scenario, Backend& backend, const Pki& pki, KeyLog* key_log,
                     std::vector<RecordedHandshake>* out, std::string* out_error) {
  auto creds =
      prepare_credentials(backend, pki, kServerName, out_error, !scenario.client_cert.empty());
  if (creds == nullptr) return false;
  drive::PairOptions options;
  options.key_log = key_log->callback();
  auto pair = drive::MemoryPair::make(
      backend, backend, engine_client_config(scenario, creds->trust.get(), creds->client.get()),
      engine_server_config(scenario, creds.get()), options, out_error);
  if (pair == nullptr) return false;

  const int handshakes = scenario.resumption ? 2 : 1;
  for (int i = 0; i < handshakes; i++) {
    FlightRecorder recorder;
    pair->set_observer(&recorder);
    tls::HandshakeOutcome outcome = pair->run(nullptr);
    pair->set_observer(nullptr);
    if (!outcome.ok) {
      *out_error = scenario.id + " on " + std::string(backend.name()) + ": the " +
                   std::string(name(outcome.failed_side)) + " failed: " + outcome.error.reason;
      return false;
    }
    out->push_back(
        {scenario.id, std::string(backend.name()), pair->client().resumed(), recorder.take()});
    if (scenario.resumption && i == 0) {
      if (!pair->resume_from_newest_ticket()) {
        *out_error = scenario.id + ": the first handshake gave no ticket";
        return false;
      }
    } else if (scenario.resumption && !pair->client().resumed()) {
      *out_error = scenario.id + ": the session was not resumed";
      return false;
    }
  }
  return true;
}

RunCapture::RunCapture(uint64_t start_time_us)
    : pcap_(start_time_us != 0 ? start_time_us : now_us()) {}

bool RunCapture::add_scenario(const Scenario& scenario, Backend& backend, const Pki& pki,
                              std::string* out_error) {
  if (!backend.real_crypto()) {
    // Its handshakes are well framed, but nothing in them would decrypt.
    *out_error = scenario.id + " on " + std::string(backend.name()) + ": the " +
                 std::string(backend.name()) + " backend's crypto is fake";
    return false;
  }
  std::vector<RecordedHandshake> recorded;
  if (!record_scenario(scenario, backend, pki, &key_log_, &recorded, out_error)) return false;
  for (const auto& h : recorded) add(h);
  return true;
}

void RunCapture::add(const RecordedHandshake& handshake) {
  pcap_.add_stream(next_port_++, handshake.flights);
  handshakes_.push_back(handshake);
}

bool RunCapture::write(const std::string& pcap_path, const std::string& keylog_path,
                       std::string* out_error) const {
  if (!pcap_path.empty()) {
    const Bytes& b = pcap_.bytes();
    std::string_view contents(reinterpret_cast<const char*>(b.data()), b.size());
    if (!write_file_atomically(pcap_path, contents, out_error)) return false;
  }
  if (!keylog_path.empty() && !write_file_atomically(keylog_path, key_log_.text(), out_error)) {
    return false;
  }
  return true;
}

}  // namespace hsbench::capture
