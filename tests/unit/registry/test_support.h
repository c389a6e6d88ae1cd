// Helpers for the registry tests: expecting errors, scoped environment variables, files.
// Single-threaded use only (the environment is process-wide).
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/fs.h"
#include "error_of.h"
#include "scoped_env.h"

namespace schicht::registry::testing {

using schicht::error_of;

using schicht::test_env::ScopedEnv;

inline void write_text(const fs::path& path, std::string_view text) {
  make_dirs(path.parent_path());
  write_file_atomic(path, text);
}

}  // namespace schicht::registry::testing
