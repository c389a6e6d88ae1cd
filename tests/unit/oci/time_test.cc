#include "core/time.h"

#include <gtest/gtest.h>

#include "expect_error.h"

namespace schicht {
namespace {

TEST(Rfc3339Test, ParsesUtcWithNanoseconds) {
  EXPECT_EQ(rfc3339_to_unix_nanos("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(rfc3339_to_unix_nanos("2024-01-02T03:04:05.123456789Z"), 1704164645123456789);
  EXPECT_EQ(rfc3339_to_unix_nanos("2024-01-02T03:04:05.1Z"), 1704164645100000000);
}

TEST(Rfc3339Test, AppliesOffsets) {
  EXPECT_EQ(rfc3339_to_unix_nanos("2024-01-02T04:04:05+01:00"), 1704164645000000000);
  EXPECT_EQ(rfc3339_to_unix_nanos("2024-01-01T21:34:05.5-05:30"), 1704164645500000000);
  const Timestamp parsed = parse_rfc3339("2024-01-02T04:04:05+01:00");
  EXPECT_EQ(parsed.unix_seconds, 1704164645);
  EXPECT_EQ(parsed.utc_offset_seconds, 3600);
}

TEST(Rfc3339Test, HandlesTimesBefore1970AndGoZeroTime) {
  EXPECT_EQ(rfc3339_to_unix_nanos("1969-12-31T23:59:59.999999999Z"), -1);
  const Timestamp zero = parse_rfc3339("0001-01-01T00:00:00Z");
  EXPECT_EQ(zero.unix_seconds, -62135596800);
  EXPECT_EQ(format_rfc3339_nano(zero), "0001-01-01T00:00:00Z");
  EXPECT_SCHICHT_ERROR(rfc3339_to_unix_nanos("0001-01-01T00:00:00Z"), ErrorKind::kInvalidInput,
                       "out of range");
}

TEST(Rfc3339Test, TruncatesFractionsBeyondNanoseconds) {
  EXPECT_EQ(rfc3339_to_unix_nanos("1970-01-01T00:00:01.0000000019Z"), 1000000001);
}

TEST(Rfc3339Test, RejectsMalformedText) {
  for (const char* text :
       {"", "2024-01-02", "2024-01-02T03:04:05", "2024-01-02 03:04:05Z", "2024-1-02T03:04:05Z",
        "2024-13-02T03:04:05Z", "2023-02-29T03:04:05Z", "2024-01-02T24:00:00Z",
        "2024-01-02T03:04:60Z", "2024-01-02T03:04:05.Z", "2024-01-02T03:04:05+0100",
        "2024-01-02T03:04:05+01", "2024-01-02T03:04:05Zjunk", "2024-01-02T03:04:05+24:00"}) {
    EXPECT_FALSE(try_parse_rfc3339(text).has_value()) << text;
  }
  EXPECT_SCHICHT_ERROR(parse_rfc3339("yesterday"), ErrorKind::kInvalidInput,
                       "invalid RFC 3339 time \"yesterday\"");
  EXPECT_TRUE(try_parse_rfc3339("2024-02-29T00:00:00Z").has_value());
  EXPECT_TRUE(try_parse_rfc3339("2024-01-02t03:04:05z").has_value());
}

TEST(Rfc3339Test, FormatsLikeGoRfc3339Nano) {
  EXPECT_EQ(format_rfc3339_nano(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339_nano(1704164645123456789), "2024-01-02T03:04:05.123456789Z");
  EXPECT_EQ(format_rfc3339_nano(1704164645120000000), "2024-01-02T03:04:05.12Z");
  EXPECT_EQ(format_rfc3339_nano(1704164645000000000), "2024-01-02T03:04:05Z");
  EXPECT_EQ(format_rfc3339_nano(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(format_rfc3339_nano(951782400000000000), "2000-02-29T00:00:00Z");
}

TEST(Rfc3339Test, RoundTripsKeepingTheOffset) {
  for (const char* text : {"2024-01-02T04:04:05.5+01:00", "2024-01-01T21:34:05-05:30",
                           "2026-11-26T19:22:51.544551895Z", "1900-03-01T00:00:00Z"}) {
    EXPECT_EQ(format_rfc3339_nano(parse_rfc3339(text)), text);
  }
  // Go re-marshals a parsed time in its canonical form.
  EXPECT_EQ(format_rfc3339_nano(parse_rfc3339("2024-01-02T03:04:05.500000000+00:00")),
            "2024-01-02T03:04:05.5Z");
  for (int64_t nanos : {int64_t{0}, int64_t{1}, int64_t{-1000000001}, int64_t{4102444800123456000},
                        int64_t{-5000000000000000000}, int64_t{9000000000000000000}}) {
    EXPECT_EQ(rfc3339_to_unix_nanos(format_rfc3339_nano(nanos)), nanos) << nanos;
  }
}

}  // namespace
}  // namespace schicht
