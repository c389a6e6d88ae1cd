// The terminal progress display: rows drawn in place with cursor-up sequences, bars with sizes,
// "done" and "skipped: already exists" at the end, other lines passed through.
#include "render/progress_bars.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace schicht::render {
namespace {

std::string hex_of(char c) {
  return std::string(64, c);
}

std::string read_all(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string out;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) out.append(buffer, n);
  return out;
}

TEST(BarSize, BinaryUnitsAsPodmansBars) {
  EXPECT_EQ(bar_size(0), "0b");
  EXPECT_EQ(bar_size(1023), "1023b");
  EXPECT_EQ(bar_size(1536), "1.5KiB");
  EXPECT_EQ(bar_size(uint64_t{40} << 20), "40.0MiB");
  EXPECT_EQ(bar_size((uint64_t{3} << 30) + (uint64_t{1} << 29)), "3.5GiB");
}

TEST(ProgressBars, DrawsRowsInPlaceThenDoneOrSkipped) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  Digest moving = Digest::parse("sha256:" + hex_of('a'));
  Digest stored = Digest::parse("sha256:" + hex_of('b'));
  {
    ProgressBars bars(file);
    bars.line("Getting image source signatures");
    bars.line("Copying blob " + moving.str());
    bars.line("Copying blob " + stored.str());
    bars.started(moving, 4096);
    bars.moved(moving, 4096);
    bars.line("Copying config sha256:" + hex_of('c'));
  }
  std::string out = read_all(file);
  std::fclose(file);
  EXPECT_EQ(out.find("Getting image source signatures\n"), 0u) << out;
  EXPECT_NE(out.find("Copying blob aaaaaaaaaaaa [----------"), std::string::npos) << out;
  EXPECT_NE(out.find("] 0b / 4.0KiB"), std::string::npos) << out;
  EXPECT_NE(out.find("\x1b[2A\r\x1b[2KCopying blob aaaaaaaaaaaa done\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Copying blob bbbbbbbbbbbb skipped: already exists\n"), std::string::npos)
      << out;
  // The line after the bars follows the last drawing, not drawn over it.
  std::string tail = "skipped: already exists\nCopying config sha256:" + hex_of('c') + "\n";
  EXPECT_EQ(out.substr(out.size() - tail.size()), tail) << out;
}

TEST(ProgressBars, AFailedPullLeavesTheBarsWhereTheyStopped) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  Digest blob = Digest::parse("sha256:" + hex_of('d'));
  {
    ProgressBars bars(file);
    bars.line("Copying blob " + blob.str());
    bars.started(blob, 10 << 20);
    bars.moved(blob, 5 << 20);
  }
  std::string out = read_all(file);
  std::fclose(file);
  std::string last = out.substr(out.rfind("\r\x1b[2K"));
  EXPECT_NE(last.find("Copying blob dddddddddddd [="), std::string::npos) << last;
  EXPECT_NE(last.find("5.0MiB / 10.0MiB"), std::string::npos) << last;
  EXPECT_EQ(last.find("skipped"), std::string::npos) << last;
}

}  // namespace
}  // namespace schicht::render
