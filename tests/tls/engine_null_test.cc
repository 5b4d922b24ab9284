// Engine-to-engine handshakes on the null backend: every scenario completes,
// and the steps it records add up to the handshake.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "hsbench/engine.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"

namespace hsbench {
namespace {

class EngineNullTest : public ::testing::TestWithParam<std::string> {};

TEST_P(EngineNullTest, CompletesAndStepsAddUp) {
  const Scenario* s = find_scenario(GetParam());
  ASSERT_NE(s, nullptr);
  std::string error;
  auto backend = load_backend("null", &error);
  ASSERT_NE(backend, nullptr) << error;
  const Algorithms& algorithms = backend->backend().algorithms();
  if (s->kx == KxMode::ecdhe && std::find(algorithms.groups.begin(), algorithms.groups.end(),
                                          s->group) == algorithms.groups.end()) {
    GTEST_SKIP() << unsupported_group_reason(algorithms, "null", s->group);
  }
  auto pki = read_pki(s->cert, default_pki_files(default_pki_dir(), s->cert), &error);
  ASSERT_NE(pki, nullptr) << error;
  auto pair = make_engine_pair(*s, backend->backend(), backend->backend(), *pki, &error);
  ASSERT_NE(pair, nullptr) << error;

  HandshakeTrace trace;
  for (int i = 0; i < 3; i++) {
    ASSERT_TRUE(pair->run(&trace, &error)) << error;
  }
  EXPECT_FALSE(trace.overflow);
  ASSERT_GT(trace.step_count, 10u);
  uint64_t sum = 0;
  for (size_t i = 0; i < trace.step_count; i++) sum += trace.steps[i].ns;
  EXPECT_LE(sum, trace.total_ns);
  EXPECT_GT(trace.op_count, 5u);
}

std::vector<std::string> scenario_ids() {
  std::vector<std::string> ids;
  for (const auto& s : all_scenarios()) ids.push_back(s.id);
  return ids;
}

INSTANTIATE_TEST_SUITE_P(AllScenarios, EngineNullTest, ::testing::ValuesIn(scenario_ids()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace hsbench
