// PEM (RFC 7468) decoding, strict: the engine needs the DER of certificates
// to put on the wire, whichever backend later parses them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hsbench/algorithms.h"

namespace hsbench {

struct PemBlock {
  std::string label;  // e.g. "CERTIFICATE", "PRIVATE KEY"
  Bytes der;
};

// Decodes every block in text, in order. Returns false (and says why in
// out_error) on a block with no end line, a label mismatch, or bad base64.
// Text outside blocks is ignored, as RFC 7468 allows.
bool decode_pem(std::string_view text, std::vector<PemBlock>* out_blocks, std::string* out_error);

}  // namespace hsbench
