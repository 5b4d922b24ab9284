// One table drives every pairing of every scenario (STYLE.md 7): the
// engine's client against each library's own TLS server, each library's
// client against the engine's server, and engine against engine across
// backends. The engine is real only if real libssl peers accept it.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend_test_util.h"
#include "drive/configs.h"
#include "drive/native.h"
#include "hsbench/engine.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"
#include "tls/client.h"
#include "tls/server.h"

namespace hsbench {
namespace {

enum class Peer { engine, native };

struct Pairing {
  std::string scenario;
  Peer client;
  std::string client_backend;
  Peer server;
  std::string server_backend;
};

std::vector<std::string> real_backends() { return test::built_backends(); }

std::vector<Pairing> pairings() {
  std::vector<Pairing> out;
  auto backends = real_backends();
  for (const auto& s : all_scenarios()) {
    // The engine on each backend against each library's own stack.
    for (const auto& b : backends) {
      for (const auto& n : backends) {
        out.push_back({s.id, Peer::engine, b, Peer::native, n});
        out.push_back({s.id, Peer::native, n, Peer::engine, b});
      }
    }
    for (const auto& c : backends) {
      for (const auto& sv : backends) out.push_back({s.id, Peer::engine, c, Peer::engine, sv});
    }
  }
  return out;
}

std::string pairing_name(const Pairing& p) {
  auto side = [](Peer peer, const std::string& b) {
    return (peer == Peer::engine ? "engine_" : "libssl_") + b;
  };
  std::string n = p.scenario + "__" + side(p.client, p.client_backend) + "_to_" +
                  side(p.server, p.server_backend);
  for (char& c : n) {
    if (c == '-') c = '_';
  }
  return n;
}

// Backends and PKIs are loaded once for the whole suite.
class Fixtures {
 public:
  static Backend& backend(const std::string& name) {
    auto& slot = instance().backends_[name];
    if (!slot) {
      std::string error;
      slot = load_backend(name, &error);
      if (!slot) throw std::runtime_error(error);
    }
    return slot->backend();
  }
  static const Pki& pki(const std::string& kind) {
    auto& slot = instance().pkis_[kind];
    if (!slot) {
      std::string error;
      slot = read_pki(kind, default_pki_files(default_pki_dir(), kind), &error);
      if (!slot) throw std::runtime_error(error);
    }
    return *slot;
  }

 private:
  static Fixtures& instance() {
    static Fixtures f;
    return f;
  }
  std::map<std::string, std::unique_ptr<LoadedBackend>> backends_;
  std::map<std::string, std::unique_ptr<Pki>> pkis_;
};

class InteropTest : public ::testing::TestWithParam<Pairing> {};

TEST_P(InteropTest, HandshakeAndApplicationData) {
  const Pairing& p = GetParam();
  const Scenario* s = find_scenario(p.scenario);
  ASSERT_NE(s, nullptr);
  const Pki& pki = Fixtures::pki(s->cert);
  Backend& client_backend = Fixtures::backend(p.client_backend);
  Backend& server_backend = Fixtures::backend(p.server_backend);
  std::string error;

  if (p.client == Peer::engine && p.server == Peer::engine) {
    auto pair = make_engine_pair(*s, client_backend, server_backend, pki, &error);
    ASSERT_NE(pair, nullptr) << error;
    HandshakeTrace trace;
    for (int i = 0; i < 2; i++) ASSERT_TRUE(pair->run(&trace, &error)) << error;
    EXPECT_EQ(trace.version, s->version);
    return;
  }

  Backend& engine_backend = p.client == Peer::engine ? client_backend : server_backend;
  Backend& native_backend = p.client == Peer::native ? client_backend : server_backend;
  auto creds = prepare_credentials(engine_backend, pki, kServerName, &error);
  ASSERT_NE(creds, nullptr) << error;
  NativeConfig native_config =
      p.client == Peer::native ? native_client_config(*s, pki) : native_server_config(*s, pki);
  Failure failure;
  auto context = native_backend.new_native_context(native_config, &failure);
  if (context == nullptr && failure.kind == FailureKind::unsupported) {
    GTEST_SKIP() << failure.reason;
  }
  ASSERT_NE(context, nullptr) << failure.reason;

  tls::Config config = p.client == Peer::engine ? engine_client_config(*s, creds->trust.get())
                                                : engine_server_config(*s, creds.get());
  ASSERT_TRUE(engine_backend.random(config.ticket_key));
  std::unique_ptr<tls::Connection> engine;
  tls::Client* engine_client = nullptr;
  if (p.client == Peer::engine) {
    auto client = std::make_unique<tls::Client>(&engine_backend, &config);
    engine_client = client.get();
    engine = std::move(client);
  } else {
    engine = std::make_unique<tls::Server>(&engine_backend, &config);
  }
  // Twice, so that a reused connection and context work too; in resumption
  // scenarios the second handshake resumes the first's session.
  std::unique_ptr<NativeSession> native_session;
  for (int i = 0; i < 2; i++) {
    const bool resuming = s->resumption && i == 1;
    engine->reset();
    auto native = context->new_connection(resuming ? native_session.get() : nullptr);
    ASSERT_NE(native, nullptr);
    std::string native_error;
    tls::HandshakeOutcome outcome = drive::run_with_native(*engine, *native, &native_error);
    ASSERT_TRUE(outcome.ok) << name(outcome.failed_side) << ": " << outcome.error.reason << " ("
                            << tls::name(outcome.error.alert)
                            << (outcome.error.received ? ", received" : "")
                            << "); libssl says: " << native_error;
    EXPECT_EQ(engine->version(), s->version);
    EXPECT_EQ(native->negotiated_cipher_suite(), static_cast<uint16_t>(s->suite));
    EXPECT_EQ(static_cast<uint16_t>(engine->cipher_suite()), static_cast<uint16_t>(s->suite));
    EXPECT_FALSE(engine->received_application_data().empty());
    EXPECT_EQ(engine->resumed(), resuming);
    EXPECT_EQ(native->resumed(), resuming);
    if (s->resumption && i == 0) {
      if (engine_client != nullptr) {
        ASSERT_NE(engine_client->new_session(), nullptr) << "libssl sent no ticket";
        engine_client->set_resumption(engine_client->new_session());
      } else {
        native_session = native->session();
        ASSERT_NE(native_session, nullptr) << "the engine sent no ticket libssl kept";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Interop, InteropTest, ::testing::ValuesIn(pairings()),
                         [](const auto& param_info) { return pairing_name(param_info.param); });

}  // namespace
}  // namespace hsbench
