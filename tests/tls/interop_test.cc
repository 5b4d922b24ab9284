// One table drives every pairing of every scenario (STYLE.md 7): the
// engine's client on each backend against each library's own TLS server,
// each library's client against the engine's server on each backend, and
// engine against engine across backends. The engine is real only if real libssl peers accept it.
#include <gtest/gtest.h>

#include <algorithm>
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

std::string pairing_name(const Pairing& p);
void PrintTo(const Pairing& p, std::ostream* os) { *os << pairing_name(p); }

// Whether a backend has a group (loaded once per backend to ask).
bool backend_has_group(const std::string& backend, Group group) {
  static std::map<std::string, std::vector<Group>> groups;
  auto it = groups.find(backend);
  if (it == groups.end()) {
    std::string error;
    auto loaded = load_backend(backend, &error);
    it =
        groups
            .emplace(backend, loaded ? loaded->backend().algorithms().groups : std::vector<Group>{})
            .first;
  }
  return std::find(it->second.begin(), it->second.end(), group) != it->second.end();
}

std::vector<Pairing> pairings() {
  std::vector<Pairing> out;
  // Every real backend the plugin search finds.
  const std::vector<std::string> all_backends = test::built_backends();
  for (const auto& s : all_scenarios()) {
    // A hybrid scenario pairs the backends that have its KEM, and only them.
    std::vector<std::string> backends;
    for (const auto& b : all_backends) {
      if (s.kx != KxMode::ecdhe || !is_kem(s.group) || backend_has_group(b, s.group)) {
        backends.push_back(b);
      }
    }
    for (const auto& e : backends) {
      for (const auto& n : backends) {
        if (!test::backends_paired(e, n)) continue;
        out.push_back({s.id, Peer::engine, e, Peer::native, n});
        out.push_back({s.id, Peer::native, n, Peer::engine, e});
      }
    }
    for (const auto& c : backends) {
      for (const auto& sv : backends) {
        if (test::backends_paired(c, sv)) out.push_back({s.id, Peer::engine, c, Peer::engine, sv});
      }
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

  // The key exchange a handshake's trace shows: the group of its keygen
  // or KEM operations on the given side, 0 for none.
  // A resumed TLS 1.2 handshake and psk_ke exchange no key at all.
  auto group_exchanged_in = [&](bool resumed) {
    return s->kx == KxMode::ecdhe && !(resumed && (s->psk_ke || s->version == TlsVersion::tls12));
  };
  auto group_in_trace = [](const HandshakeTrace& t, Side side) -> uint16_t {
    for (size_t i = 0; i < t.step_count; i++) {
      const Step& step = t.steps[i];
      if (step.side != side) continue;
      for (size_t k = step.first_op; k < step.first_op + step.op_count; k++) {
        const OpKind kind = t.ops[k].op.kind;
        if (kind == OpKind::derive || kind == OpKind::kem_encap || kind == OpKind::kem_decap) {
          return t.ops[k].op.alg;
        }
      }
    }
    return 0;
  };

  if (p.client == Peer::engine && p.server == Peer::engine) {
    auto pair = make_engine_pair(*s, client_backend, server_backend, pki, &error);
    ASSERT_NE(pair, nullptr) << error;
    HandshakeTrace trace;
    for (int i = 0; i < 2; i++) ASSERT_TRUE(pair->run(&trace, &error)) << error;
    EXPECT_EQ(trace.version, s->version);
    // The pair measures resumed handshakes alone in a resumption scenario.
    if (group_exchanged_in(s->resumption)) {
      EXPECT_EQ(group_in_trace(trace, Side::client), static_cast<uint16_t>(s->group));
      EXPECT_EQ(group_in_trace(trace, Side::server), static_cast<uint16_t>(s->group));
    }
    return;
  }

  Backend& engine_backend = p.client == Peer::engine ? client_backend : server_backend;
  Backend& native_backend = p.client == Peer::native ? client_backend : server_backend;
  auto creds =
      prepare_credentials(engine_backend, pki, kServerName, &error, !s->client_cert.empty());
  ASSERT_NE(creds, nullptr) << error;
  NativeConfig native_config =
      p.client == Peer::native ? native_client_config(*s, pki) : native_server_config(*s, pki);
  Failure failure;
  auto context = native_backend.new_native_context(native_config, &failure);
  if (context == nullptr && failure.kind == FailureKind::unsupported) {
    GTEST_SKIP() << failure.reason;
  }
  ASSERT_NE(context, nullptr) << failure.reason;

  tls::Config config = p.client == Peer::engine
                           ? engine_client_config(*s, creds->trust.get(), creds->client.get())
                           : engine_server_config(*s, creds.get());
  ASSERT_TRUE(engine_backend.random(config.ticket_key));
  std::unique_ptr<tls::Connection> engine;
  tls::Client* engine_client = nullptr;
  tls::Server* engine_server = nullptr;
  if (p.client == Peer::engine) {
    auto client = std::make_unique<tls::Client>(&engine_backend, &config);
    engine_client = client.get();
    engine = std::move(client);
  } else {
    auto server = std::make_unique<tls::Server>(&engine_backend, &config);
    engine_server = server.get();
    engine = std::move(server);
  }
  const bool mtls = !s->client_cert.empty();
  // Twice, so that a reused connection and context work too; in resumption
  // scenarios the second handshake resumes the first's session.
  std::unique_ptr<NativeSession> native_session;
  for (int i = 0; i < 2; i++) {
    const bool resuming = s->resumption && i == 1;
    engine->reset();
    auto native = context->new_connection(resuming ? native_session.get() : nullptr);
    ASSERT_NE(native, nullptr);
    std::string native_error;
    HandshakeTrace trace;
    tls::HandshakeOutcome outcome = drive::run_with_native(*engine, *native, &native_error, &trace);
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
    // Mutual TLS: a full handshake carries the request and the client's
    // own leaf; a resumed one neither, its ticket vouching for the client.
    const bool full_mtls = mtls && !resuming;
    if (engine_client != nullptr) {
      EXPECT_EQ(engine_client->negotiated().certificate_requested, full_mtls);
      EXPECT_EQ(engine_client->negotiated().sent_certificate, full_mtls);
      if (full_mtls) {
        EXPECT_EQ(native->peer_leaf_der(), pki.client_chain[0]);
      }
    } else {
      EXPECT_EQ(engine_server->client_authenticated(), mtls);
      if (full_mtls) {
        const ByteView leaf = engine_server->client_certificate();
        EXPECT_EQ(Bytes(leaf.begin(), leaf.end()), pki.client_chain[0]);
      } else {
        EXPECT_TRUE(engine_server->client_certificate().empty());
      }
    }
    // Both sides agree on the group: the engine's own crypto, and the
    // library where it can tell (it must for a KEM group).
    if (group_exchanged_in(resuming)) {
      uint16_t engine_group = 0;
      for (size_t k = 0; k < trace.op_count; k++) {
        const OpKind kind = trace.ops[k].op.kind;
        if (kind == OpKind::derive || kind == OpKind::kem_encap || kind == OpKind::kem_decap) {
          engine_group = trace.ops[k].op.alg;
        }
      }
      EXPECT_EQ(engine_group, static_cast<uint16_t>(s->group));
      if (native->negotiated_group() != 0 || is_kem(s->group)) {
        EXPECT_EQ(native->negotiated_group(), static_cast<uint16_t>(s->group));
      }
    }
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

// Each library's own client checks the server it talks to, natively as the
// engine does: a chain under another root, or a name the leaf is not for,
// ends the handshake on its own stack against its own server.
class NativeVerifyTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Drives a native client and server against each other until both are
  // established or one fails; true when both are established.
  static bool handshake(NativeConnection& client, NativeConnection& server,
                        std::string* out_error) {
    Bytes to_server, to_client;
    for (int turn = 0; turn < 20; turn++) {
      Bytes out;
      const auto c = client.handshake(to_client, &out);
      to_client.clear();
      to_server.insert(to_server.end(), out.begin(), out.end());
      out.clear();
      const auto s = server.handshake(to_server, &out);
      to_server.clear();
      to_client.insert(to_client.end(), out.begin(), out.end());
      if (c == NativeConnection::Status::failed) {
        *out_error = client.error();
        return false;
      }
      if (s == NativeConnection::Status::failed) {
        *out_error = server.error();
        return false;
      }
      if (c == NativeConnection::Status::established &&
          s == NativeConnection::Status::established) {
        return true;
      }
    }
    *out_error = "the handshake did not finish";
    return false;
  }

  // A handshake of scenario (by default TLS 1.3 on the rsa2048 PKI) with
  // the client's and the server's configs changed by adjust_client and
  // adjust_server; true when it completes.
  template <typename AdjustClient, typename AdjustServer>
  bool run(AdjustClient adjust_client, AdjustServer adjust_server, std::string_view scenario,
           std::string* out_error) {
    Backend& backend = Fixtures::backend(GetParam());
    const Scenario* s = find_scenario(scenario);
    EXPECT_NE(s, nullptr);
    if (s == nullptr) return false;
    const Pki& pki = Fixtures::pki(s->cert);
    NativeConfig client_config = native_client_config(*s, pki);
    NativeConfig server_config = native_server_config(*s, pki);
    adjust_client(&client_config);
    adjust_server(&server_config);
    Failure failure;
    auto client_ctx = backend.new_native_context(client_config, &failure);
    EXPECT_NE(client_ctx, nullptr) << failure.reason;
    auto server_ctx = backend.new_native_context(server_config, &failure);
    EXPECT_NE(server_ctx, nullptr) << failure.reason;
    if (client_ctx == nullptr || server_ctx == nullptr) return false;
    auto client = client_ctx->new_connection(nullptr);
    auto server = server_ctx->new_connection(nullptr);
    EXPECT_NE(client, nullptr);
    EXPECT_NE(server, nullptr);
    if (client == nullptr || server == nullptr || !handshake(*client, *server, out_error)) {
      return false;
    }
    // Under mutual TLS the server saw the client's own leaf.
    if (!s->client_cert.empty()) {
      EXPECT_EQ(server->peer_leaf_der(), pki.client_chain[0]);
    }
    return true;
  }
  template <typename AdjustClient>
  bool run(AdjustClient adjust_client, std::string* out_error) {
    return run(adjust_client, [](NativeConfig*) {}, "tls13-x25519-rsa2048", out_error);
  }
};

TEST_P(NativeVerifyTest, AcceptsItsOwnServer) {
  std::string error;
  EXPECT_TRUE(run([](NativeConfig*) {}, &error)) << error;
}

TEST_P(NativeVerifyTest, RejectsAChainUnderAnotherRoot) {
  const Pki& other = Fixtures::pki("ecdsa-p256");
  std::string error;
  EXPECT_FALSE(
      run([&](NativeConfig* c) { c->roots_der.assign(other.roots.begin(), other.roots.end()); },
          &error));
  EXPECT_FALSE(error.empty());
}

TEST_P(NativeVerifyTest, RejectsALeafForAnotherName) {
  std::string error;
  EXPECT_FALSE(run([](NativeConfig* c) { c->hostname = "example.com"; }, &error));
  EXPECT_FALSE(error.empty());
}

// Mutual TLS on each library's own stack, both versions: the server
// takes its own client and refuses one without a certificate or with a
// chain under another client root.
constexpr std::string_view kMtlsScenarios[] = {"tls12-ecdhe-x25519-ecdsa-p256-mtls",
                                               "tls13-x25519-ecdsa-p256-mtls"};

TEST_P(NativeVerifyTest, MutualTlsAcceptsItsOwnClient) {
  for (std::string_view id : kMtlsScenarios) {
    std::string error;
    EXPECT_TRUE(run([](NativeConfig*) {}, [](NativeConfig*) {}, id, &error)) << id << ": " << error;
  }
}

TEST_P(NativeVerifyTest, MutualTlsRefusesAClientWithoutACertificate) {
  for (std::string_view id : kMtlsScenarios) {
    std::string error;
    EXPECT_FALSE(run(
        [](NativeConfig* c) {
          c->client_chain_der.clear();
          c->client_private_key = {};
        },
        [](NativeConfig*) {}, id, &error))
        << id;
    EXPECT_FALSE(error.empty()) << id;
  }
}

TEST_P(NativeVerifyTest, MutualTlsRejectsAClientChainUnderAnotherRoot) {
  const Pki& other = Fixtures::pki("rsa2048");
  for (std::string_view id : kMtlsScenarios) {
    std::string error;
    EXPECT_FALSE(run(
        [](NativeConfig*) {},
        [&](NativeConfig* c) {
          c->client_roots_der.assign(other.client_roots.begin(), other.client_roots.end());
        },
        id, &error))
        << id;
    EXPECT_FALSE(error.empty()) << id;
  }
}

INSTANTIATE_TEST_SUITE_P(Native, NativeVerifyTest, ::testing::ValuesIn(test::built_backends()),
                         [](const auto& param_info) { return test::test_name(param_info.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(NativeVerifyTest);

}  // namespace
}  // namespace hsbench
