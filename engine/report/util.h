// Helpers shared by the reporters.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "hsbench/result.h"

namespace hsbench {

// What every report says about how its numbers were made (the JSON's
// context.notes, the table's footer).
std::vector<std::string> report_notes();

// The per-user-step time of a result for one side (the side that processes
// the step: the writer of a message for a write, the reader for a read),
// summed over the engine's steps. Index 0 holds steps outside the 8.
struct UserStepTimes {
  std::array<double, kUserSteps + 1> client_us{};
  std::array<double, kUserSteps + 1> server_us{};
};
UserStepTimes user_step_times(const Result& r);

// "openssl/1t": the column label of a result in the per-step table.
std::string result_label(const Result& r, bool with_threads);

// The whole of a result file the reporters read back (compare, export).
// False with "PATH: cannot read..." in out_error when it cannot be read.
bool read_text_file(const std::string& path, std::string* out_text, std::string* out_error);

}  // namespace hsbench
