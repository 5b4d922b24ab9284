// decode_pem (engine/backend/pem.cc), which reads every PKI file. Beyond
// the sanitizers: a failure says why, every decoded block has DER and a
// one-line label, and the blocks written back as RFC 7468 text decode to
// the same blocks.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "backend/pem.h"

using namespace hsbench;

namespace {

[[noreturn]] void fail(const char* why) {
  std::fprintf(stderr, "fuzz_pem: %s\n", why);
  std::abort();
}

// RFC 4648 4, in lines of 64 (RFC 7468 2).
std::string encode_base64(const Bytes& der) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < der.size(); i += 3) {
    const size_t n = std::min<size_t>(3, der.size() - i);
    uint32_t v = static_cast<uint32_t>(der[i]) << 16;
    if (n > 1) v |= static_cast<uint32_t>(der[i + 1]) << 8;
    if (n > 2) v |= der[i + 2];
    for (size_t k = 0; k < 4; k++) {
      out.push_back(k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63] : '=');
    }
    if ((i / 3 + 1) % 16 == 0) out.push_back('\n');
  }
  if (out.empty() || out.back() != '\n') out.push_back('\n');
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<PemBlock> blocks;
  std::string error;
  if (!decode_pem(text, &blocks, &error)) {
    if (error.empty()) fail("decode_pem failed without saying why");
    return 0;
  }
  std::string again;
  for (const PemBlock& block : blocks) {
    if (block.der.empty()) fail("a block without DER");
    if (block.label.find('\n') != std::string::npos) fail("a label over more than one line");
    again += "-----BEGIN " + block.label + "-----\n" + encode_base64(block.der) + "-----END " +
             block.label + "-----\n";
  }
  std::vector<PemBlock> decoded;
  if (!decode_pem(again, &decoded, &error))
    fail(("its own blocks do not decode: " + error).c_str());
  if (decoded.size() != blocks.size()) fail("its own blocks decode to another number of blocks");
  for (size_t i = 0; i < blocks.size(); i++) {
    if (decoded[i].label != blocks[i].label || decoded[i].der != blocks[i].der) {
      fail("its own blocks decode to other blocks");
    }
  }
  return 0;
}
