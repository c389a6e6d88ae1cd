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

namespace schicht::registry::testing {

using schicht::error_of;

// Sets (or with nullopt unsets) an environment variable until destruction.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

inline void write_text(const fs::path& path, std::string_view text) {
  make_dirs(path.parent_path());
  write_file_atomic(path, text);
}

}  // namespace schicht::registry::testing
