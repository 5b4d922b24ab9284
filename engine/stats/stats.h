// Statistics across repetitions: mean, median, sample standard deviation and
// a 95% confidence interval of the mean from Student's t distribution.
#pragma once

#include <span>

#include "hsbench/result.h"

namespace hsbench {

// The two-sided 95% critical value of Student's t with df degrees of freedom
// (df >= 1); the normal 1.96 beyond the table.
double student_t95(int df);

Summary summarize(std::span<const double> values);

}  // namespace hsbench
