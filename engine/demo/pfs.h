// `hsbench pfs-demo`: forward secrecy, shown rather than told.
//
// Two TLS 1.2 handshakes with the same RSA certificate, each carrying a
// short message, are recorded as a passive eavesdropper would record them.
// Then the attacker steals the server's long-term private key and works
// on the recordings alone. On each it makes the same attempts: RSA-decrypt
// the ClientKeyExchange, derive the master secret and the record keys from
// what that gave (RFC 5246 8.1, 6.3; RFC 7627), check the client's
// Finished with them, open the application data. What each attempt finds
// decides, not the scenario's name:
//  - RSA key transport (tls12-rsa-rsa2048): the ClientKeyExchange is the
//    premaster secret encrypted to that key, and everything opens.
//  - ECDHE (tls12-ecdhe-x25519-rsa2048): the key only ever signed the
//    server's ephemeral public key. The ClientKeyExchange holds the client's
//    ephemeral public key, which does not RSA-decrypt to a premaster; keys
//    derived from it fail the Finished, and the records stay shut.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "capture/recorder.h"
#include "hsbench/backend.h"

namespace hsbench::demo {

inline constexpr std::string_view kRsaScenario = "tls12-rsa-rsa2048";
inline constexpr std::string_view kEcdheScenario = "tls12-ecdhe-x25519-rsa2048";
inline constexpr std::string_view kClientMessage =
    "user=alice password=correct-horse-battery-staple";
inline constexpr std::string_view kServerMessage = "welcome alice, your balance is 1,234.56 EUR";

// One thing the attacker tries, and what came of it, in plain words.
struct AttackStep {
  // Which attempt: read_hellos, check_key, server_key_exchange, rsa_decrypt,
  // derive_keys, finished, client_data, server_data.
  std::string attempt;
  std::string action;
  std::string outcome;
  bool succeeded = false;
};

// One recorded handshake and the attack on it.
struct PfsCase {
  std::string scenario;
  std::string cipher_suite;
  // As the recording says (the ServerHello's cipher suite, the
  // ServerKeyExchange's group): "RSA key transport", "ECDHE (x25519)".
  std::string key_exchange;
  // The stolen key is the certificate's, every attempt was made on records
  // that are there, and none recovered the premaster, verified the Finished
  // or opened a record.
  bool forward_secret = false;
  std::vector<capture::Flight> recording;  // what the eavesdropper kept
  std::vector<AttackStep> attack;
  bool key_matches_certificate = false;  // the stolen key is the certificate's
  bool signature_verified = false;       // ECDHE: the recorded ServerKeyExchange verifies
  bool premaster_recovered = false;
  bool finished_verified = false;  // the derived keys open the client's Finished, and it checks
  bool decrypted = false;          // both application data records were read
  std::string recovered_client_data;
  std::string recovered_server_data;
};

struct PfsDemoResult {
  std::string backend;
  std::string backend_version;
  std::string key_file;  // where the stolen key was read from
  std::string client_message;
  std::string server_message;
  PfsCase rsa;
  PfsCase ecdhe;
};

// The scenarios recorded as the demo's two handshakes: TLS 1.2, one
// certificate for both.
struct PfsScenarios {
  std::string_view rsa = kRsaScenario;
  std::string_view ecdhe = kEcdheScenario;
};

// Runs both handshakes between an engine client and an engine server on
// backend, with the rsa2048 test PKI from pki_dir, then the attack on each
// recording. False and one line in out_error if the demo cannot run (a
// handshake fails, the PKI is missing); a failed attack is a result.
bool run_pfs_demo(Backend& backend, const std::string& pki_dir, PfsDemoResult* out,
                  std::string* out_error, const PfsScenarios& scenarios = {});

// The attack alone, on c->recording with the stolen key: fills c's
// key_exchange, attack and findings; c->scenario plays no part.
void attack_recording(Backend& backend, const PrivateKey& stolen_key, PfsCase* c);

// The result for people, in plain words.
std::string render_text(const PfsDemoResult& result);
// The result as a JSON document ("hsbench-pfs-demo/v1"), without the raw
// recordings.
std::string render_json(const PfsDemoResult& result);

// `hsbench pfs-demo`, whole: loads the backend (empty: openssl, else
// boringssl), runs the demo, prints the text to out (or the JSON, when
// json_path is "-"), writes the JSON and the pcap of the two recorded
// handshakes atomically where asked, and says what went wrong on err in one
// line. Returns 0, 1 (the demo failed, or its attack did not find the RSA
// recording open and the ECDHE one forward secret) or 2 (bad input).
struct PfsDemoOptions {
  std::string backend;
  std::string pki_dir;     // empty: the shipped test PKI
  std::string json_path;   // empty: none; "-": stdout instead of the text
  std::string pcap_path;   // empty: none
  PfsScenarios scenarios;  // not on the command line: the tests' controls
};
int pfs_demo_command(const PfsDemoOptions& options, std::ostream& out, std::ostream& err);

}  // namespace hsbench::demo
