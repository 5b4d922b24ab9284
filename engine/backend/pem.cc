#include "backend/pem.h"

#include "hsbench/encoding.h"


namespace hsbench {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";


}  // namespace

bool decode_pem(std::string_view text, std::vector<PemBlock>* out_blocks, std::string* out_error) {
  out_blocks->clear();
  size_t pos = 0;
  while ((pos = text.find(kBegin, pos)) != std::string_view::npos) {
    size_t label_start = pos + kBegin.size();
    size_t label_end = text.find(kDashes, label_start);
    size_t line_end = text.find('\n', label_start);
    if (label_end == std::string_view::npos || label_end > line_end) {
      *out_error = "malformed PEM BEGIN line";
      return false;
    }
    std::string label(text.substr(label_start, label_end - label_start));
    std::string end_line = std::string(kEnd) + label + std::string(kDashes);
    size_t body_start = label_end + kDashes.size();
    size_t end = text.find(end_line, body_start);
    if (end == std::string_view::npos) {
      *out_error = "PEM block '" + label + "' has no END line";
      return false;
    }
    PemBlock block{label, {}};
    std::string_view body = text.substr(body_start, end - body_start);
    if (body.find(':') != std::string_view::npos) {
      *out_error = "PEM block '" + label + "' is encrypted or has headers; give an unencrypted key";
      return false;
    }
    if (!decode_base64(body, &block.der) || block.der.empty()) {
      *out_error = "PEM block '" + label + "' is not valid base64";
      return false;
    }
    out_blocks->push_back(std::move(block));
    pos = end + end_line.size();
  }
  return true;
}

}  // namespace hsbench
