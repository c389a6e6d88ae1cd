// For unit tests of any module: run code that must fail with a schicht::Error of one kind and
// look at its message.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"

namespace schicht {

// Runs `fn`, expecting a schicht::Error of `kind`; returns its message ("" when none came).
template <typename Fn>
std::string error_of(ErrorKind kind, Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected an error of kind " << kind_name(kind);
  return "";
}

}  // namespace schicht
