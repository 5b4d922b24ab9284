// Replays the committed seeds of the state machine targets and fails if
// any no longer takes its side to a completed handshake (fuzz/README.md):
//
//   build/fuzz/bin/check_fuzz_seeds fuzz/corpus
//
// The seeds are handshakes recorded from the engine; once the engine sends
// other bytes, a recorded peer's Finished no longer verifies and every
// mutation of that seed stops where the seed does, so fuzzing quietly goes
// shallow. The seeds checked are those of fuzz_client and fuzz_server (on
// the null backend) and of the real-plugin targets (CORPUS/PLUGIN, e.g.
// fuzz/corpus/openssl); files named regress-* are reproducers, not
// handshakes, and are left out. Prints each seed that stops short, with
// where it stopped; exits 1 if there is one, 2 on a missing or unreadable
// corpus.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "harness.h"

using namespace hsbench;
namespace fs = std::filesystem;

namespace {

struct Corpus {
  const char* dir;      // under the corpus root
  const char* backend;  // the plugin its target runs on
  // fuzz_client/fuzz_server: every seed is read by this side; a
  // real-plugin target's selector says which (kServerReads).
  std::optional<Side> side;
};
constexpr Corpus kCorpora[] = {
    {"client", "null", Side::client},
    {"server", "null", Side::server},
    {"openssl", "openssl", std::nullopt},
    {"boringssl", "boringssl", std::nullopt},
    {"wolfssl", "wolfssl", std::nullopt},
    {"gnutls", "gnutls", std::nullopt},
};

bool read_file(const fs::path& path, Bytes* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: check_fuzz_seeds CORPUS_DIR   (e.g. fuzz/corpus)\n");
    return 2;
  }
  const fs::path root(argv[1]);
  // The real plugins' outputs recorded with these seeds (harness.h).
  fuzz::World::set_corpus_dir(argv[1]);
  size_t checked = 0, short_of_done = 0;
  for (const Corpus& corpus : kCorpora) {
    const fs::path dir = root / corpus.dir;
    std::error_code ec;
    std::vector<fs::path> seeds;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.is_regular_file() && !entry.path().filename().string().starts_with("regress-")) {
        seeds.push_back(entry.path());
      }
    }
    if (ec) {
      std::fprintf(stderr, "check_fuzz_seeds: cannot read %s: %s\n", dir.c_str(),
                   ec.message().c_str());
      return 2;
    }
    if (seeds.empty()) {
      std::fprintf(stderr, "check_fuzz_seeds: no seeds in %s\n", dir.c_str());
      return 2;
    }
    std::sort(seeds.begin(), seeds.end());
    fuzz::World& world = fuzz::World::get(corpus.backend);
    for (const fs::path& path : seeds) {
      Bytes seed;
      if (!read_file(path, &seed)) {
        std::fprintf(stderr, "check_fuzz_seeds: cannot read %s\n", path.c_str());
        return 2;
      }
      checked++;
      std::string why;
      const fuzz::FuzzScenario* s = nullptr;
      Side side = Side::client;
      if (!seed.empty()) {
        side = corpus.side ? *corpus.side
                           : ((seed[0] & fuzz::kServerReads) != 0 ? Side::server : Side::client);
        s = world.scenario(corpus.side ? seed[0] : seed[0] & ~fuzz::kServerReads);
      }
      if (s == nullptr) {
        why = seed.empty() ? "is empty"
                           : "names no scenario (selector " + std::to_string(seed[0]) + ")";
      } else if (world.replay(*s, side, fuzz::parse_script(ByteView(seed).subspan(1)), &why) ==
                 tls::Connection::Status::done) {
        continue;
      } else {
        why = "the " + std::string(name(side)) + " of " + s->name + " " + why;
      }
      short_of_done++;
      std::fprintf(stderr, "check_fuzz_seeds: %s: %s\n", path.c_str(), why.c_str());
    }
  }
  if (short_of_done > 0) {
    std::fprintf(stderr,
                 "check_fuzz_seeds: %zu of %zu seeds no longer reach a completed handshake; "
                 "regenerate them (fuzz/README.md)\n",
                 short_of_done, checked);
    return 1;
  }
  std::printf("check_fuzz_seeds: all %zu seeds reach a completed handshake\n", checked);
  return 0;
}
