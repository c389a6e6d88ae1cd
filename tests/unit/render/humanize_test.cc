#include "render/humanize.h"

#include <gtest/gtest.h>

#include "core/error.h"

#include <cstdio>
#include <string>

namespace schicht::render {
namespace {

// Go's units.HumanSizeWithPrecision: printf's %.*g of the size in the largest unit below 1000.
std::string printf_size(uint64_t bytes, int precision, const char* separator) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  double size = static_cast<double>(bytes);
  int unit = 0;
  while (size >= 1000.0 && unit < 8) {
    size /= 1000.0;
    ++unit;
  }
  char text[64];
  std::snprintf(text, sizeof text, "%.*g%s%s", precision, size, separator, kUnits[unit]);
  return text;
}

TEST(Humanize, SizesPrintAsPrintfGeneralFormat) {
  EXPECT_EQ(human_size(0), "0 B");
  EXPECT_EQ(human_size(999), "999 B");
  EXPECT_EQ(human_size(1000), "1 kB");
  EXPECT_EQ(human_size(11'400), "11.4 kB");
  EXPECT_EQ(human_size(999'500), "1e+03 kB");  // as podman prints it
  EXPECT_EQ(human_size_compact(1'234'567), "1.235MB");
  // Every order of magnitude, with values on and around rounding boundaries.
  for (uint64_t base = 1; base <= 1'000'000'000'000'000ULL; base *= 10) {  // times 9999 fits
    for (uint64_t factor : {1, 5, 9, 10, 11, 99, 100, 101, 995, 999, 1001, 1234, 9995, 9999}) {
      uint64_t bytes = base * factor;
      EXPECT_EQ(human_size(bytes), printf_size(bytes, 3, " ")) << bytes;
      EXPECT_EQ(human_size_compact(bytes), printf_size(bytes, 4, "")) << bytes;
      EXPECT_EQ(human_size(bytes + 1), printf_size(bytes + 1, 3, " ")) << bytes + 1;
    }
  }
  EXPECT_EQ(human_size(UINT64_MAX), printf_size(UINT64_MAX, 3, " "));
}

TEST(Humanize, ByteSizesParseWithUnitsAndRefuseWhatNoStoreCanHold) {
  EXPECT_EQ(parse_byte_size("0"), 0u);
  EXPECT_EQ(parse_byte_size("10"), 10u);
  EXPECT_EQ(parse_byte_size("1.5kB"), 1500u);
  EXPECT_EQ(parse_byte_size("2MiB"), 2u * 1024 * 1024);
  EXPECT_EQ(parse_byte_size("1GB"), 1000000000u);
  for (const char* bad : {"", "abc", "10XB", "-1", "-0.5kB", "inf", "-inf", "nan", "infGB", "1e30",
                          "9.3e18", "10000000TB", "1e400"}) {
    try {
      parse_byte_size(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput) << bad;
      EXPECT_NE(std::string(e.what()).find("invalid size"), std::string::npos) << bad;
    }
  }
}

}  // namespace
}  // namespace schicht::render
