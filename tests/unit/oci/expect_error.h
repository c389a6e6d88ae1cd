// A GoogleTest helper for the oci tests: asserts that a call throws schicht::Error of one kind
// whose message contains a given text.
#pragma once

#include <string_view>

#include <gtest/gtest.h>

#include "core/error.h"

#define EXPECT_SCHICHT_ERROR(statement, error_kind, message_part)                      \
  do {                                                                                 \
    try {                                                                              \
      statement;                                                                       \
      ADD_FAILURE() << "expected an error containing \"" << (message_part) << "\"";    \
    } catch (const ::schicht::Error& e) {                                              \
      EXPECT_EQ(e.kind(), (error_kind)) << e.what();                                   \
      EXPECT_NE(std::string_view(e.what()).find(message_part), std::string_view::npos) \
          << e.what();                                                                 \
    }                                                                                  \
  } while (false)
