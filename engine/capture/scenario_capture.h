// What `hsbench --pcap FILE --keylog FILE` writes: for each scenario and
// backend of a run, one engine handshake with the run's configuration,
// recorded as its own TCP stream, and its secrets in the NSS key log, so
// that Wireshark and tshark dissect and decrypt it. The handshake is an
// extra one, made untimed beside the measured ones: recording never touches
// a measurement.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture/keylog.h"
#include "capture/pcap.h"
#include "capture/recorder.h"
#include "hsbench/backend.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"

namespace hsbench::capture {

// One recorded engine handshake.
struct RecordedHandshake {
  std::string scenario;
  std::string backend;
  bool resumed = false;
  std::vector<Flight> flights;
};

// Runs the scenario once between an engine client and an engine server on
// backend, recording every flight and logging every secret into key_log. A
// resumption scenario gives two handshakes: the one that issues the ticket,
// then the first resumed one (the kind the run measures). False and one
// line in out_error on failure.
bool record_scenario(const Scenario& scenario, Backend& backend, const Pki& pki, KeyLog* key_log,
                     std::vector<RecordedHandshake>* out, std::string* out_error);

// The capture of a whole run.
class RunCapture {
 public:
  // start_time_us: the first packet's time (microseconds since the epoch);
  // 0 for now.
  explicit RunCapture(uint64_t start_time_us = 0);

  // Records the scenario on backend and adds each of its handshakes as a
  // TCP stream from the next client port. Refuses a backend without real
  // crypto (Backend::real_crypto(), the null backend): nothing could
  // decrypt its handshakes.
  bool add_scenario(const Scenario& scenario, Backend& backend, const Pki& pki,
                    std::string* out_error);
  // Adds one recorded handshake as a TCP stream.
  void add(const RecordedHandshake& handshake);

  const PcapWriter& pcap() const { return pcap_; }
  const KeyLog& key_log() const { return key_log_; }
  const std::vector<RecordedHandshake>& handshakes() const { return handshakes_; }

  // Writes the pcap and the key log atomically (temporary file, then
  // rename); an empty path skips that file.
  bool write(const std::string& pcap_path, const std::string& keylog_path,
             std::string* out_error) const;

 private:
  PcapWriter pcap_;
  KeyLog key_log_;
  uint16_t next_port_ = kFirstClientPort;
  std::vector<RecordedHandshake> handshakes_;
};

uint64_t now_us();

}  // namespace hsbench::capture
