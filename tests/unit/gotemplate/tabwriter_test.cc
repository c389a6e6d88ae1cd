// Podman cases: the cells podman's templates produce, with the output `podman images` printed.
#include "gotemplate/tabwriter.h"

#include <gtest/gtest.h>

namespace schicht::gotemplate {
namespace {

std::string tabulate(std::string_view text, TabWriter::Config config = {}) {
  std::string out;
  TabWriter writer(out, config);
  writer.write(text);
  writer.flush();
  return out;
}

TEST(TabWriter, PodmanColumnsAreWidestCellPlusTwoAtLeastTwelve) {
  EXPECT_EQ(tabulate("TAG\tSIZE\tREPOSITORY\n"
                     "latest\t11.3 kB\tlocalhost/tiny\n"
                     "v1.2.3-long\t11.3 kB\tdocker.io/library/averyveryverylongname/xx\n"
                     "1\t11.4 kB\tlocalhost/lab\n"),
            "TAG          SIZE        REPOSITORY\n"
            "latest       11.3 kB     localhost/tiny\n"
            "v1.2.3-long  11.3 kB     docker.io/library/averyveryverylongname/xx\n"
            "1            11.4 kB     localhost/lab\n");
}

TEST(TabWriter, HeaderOnlyTableUsesMinimumWidth) {
  EXPECT_EQ(tabulate("REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\n"),
            "REPOSITORY  TAG         IMAGE ID    CREATED     SIZE\n");
}

TEST(TabWriter, ColumnBlockEndsAtLineWithFewerCells) {
  // The second column exists only in the "latest" line, so only that line's cell sizes it.
  EXPECT_EQ(tabulate("TAG\tREPOSITORY\n"
                     "latest\teb27c12b0479\tlocalhost/tiny\n"
                     "v1.2.3-long\tdocker.io/library/averyveryverylongname/xx\n"
                     "1\tlocalhost/lab\n"),
            "TAG          REPOSITORY\n"
            "latest       eb27c12b0479  localhost/tiny\n"
            "v1.2.3-long  docker.io/library/averyveryverylongname/xx\n"
            "1            localhost/lab\n");
}

TEST(TabWriter, LineWithoutTabsSplitsBlocks) {
  EXPECT_EQ(tabulate("TAG\tREPOSITORY\nIMAGE ID\n"
                     "latest\tlocalhost/tiny\neb27c12b0479\n"
                     "v1.2.3-long\tdocker.io/library/averyveryverylongname/xx\neb27c12b0479\n"
                     "1\tlocalhost/lab\n9490d52f4970\n"),
            "TAG         REPOSITORY\nIMAGE ID\n"
            "latest      localhost/tiny\neb27c12b0479\n"
            "v1.2.3-long  docker.io/library/averyveryverylongname/xx\neb27c12b0479\n"
            "1           localhost/lab\n9490d52f4970\n");
}

TEST(TabWriter, EmptyCellsAndTrailingTab) {
  EXPECT_EQ(tabulate("TAG\t\tIMAGE ID\t\n"
                     "latest\t\teb27c12b0479\t\n"
                     "v1.2.3-long\t\teb27c12b0479\t\n"),
            "TAG                      IMAGE ID      \n"
            "latest                   eb27c12b0479  \n"
            "v1.2.3-long              eb27c12b0479  \n");
  EXPECT_EQ(tabulate("            IMAGE ID\n"), "            IMAGE ID\n");
  EXPECT_EQ(tabulate("\tIMAGE ID\n\teb27c12b0479\n"),
            "            IMAGE ID\n            eb27c12b0479\n");
}

TEST(TabWriter, WidthCountsRunes) {
  EXPECT_EQ(tabulate("éTAG\tIMAGE ID\névénement\tx\n"), "éTAG        IMAGE ID\névénement   x\n");
}

// Runes are counted eight bytes at a time: cells longer than that, multi-byte runes on every
// offset, and text handed over in pieces that split cells and runes.
TEST(TabWriter, WidthCountsRunesOfLongCellsWrittenInPieces) {
  std::string text = "ab\t1\n";
  std::string expected = "ab" + std::string(23, ' ') + "1\n";
  for (std::string_view rune : {"é", "€", "😀"}) {
    for (size_t before = 0; before < 9; ++before) {
      // before + 15 runes; the widest, 23 runes, makes the column 25 wide.
      std::string cell = std::string(before, 'x') + std::string(rune) + "yyyyyyyyyyyy" +
                         std::string(rune) + std::string(rune);
      text += cell + "\t1\n";
      expected += cell + std::string(25 - (before + 15), ' ') + "1\n";
    }
  }
  std::string out;
  TabWriter writer(out);
  for (size_t i = 0; i < text.size(); i += 5) writer.write(std::string_view(text).substr(i, 5));
  writer.flush();
  EXPECT_EQ(out, expected);
  EXPECT_EQ(tabulate(text), expected);
}

TEST(TabWriter, ReserveChangesNothingButRoom) {
  std::string out;
  TabWriter writer(out);
  writer.reserve(3, 6, 100);
  writer.write("TAG\tSIZE\nlatest\t11.3 kB\n");
  writer.flush();
  EXPECT_EQ(out, tabulate("TAG\tSIZE\nlatest\t11.3 kB\n"));
}

TEST(TabWriter, VerticalTabEndsASoftCell) {
  EXPECT_EQ(tabulate("a\vb\tc\n"), "a           b           c\n");
}

TEST(TabWriter, OutputWaitsForFlushUnlessALineHasOneCell) {
  std::string out;
  TabWriter writer(out);
  writer.write("a\tb\n");
  EXPECT_EQ(out, "");  // a later, wider "a" cell could still widen the column
  writer.write("single\nrest");
  EXPECT_EQ(out, "a           b\nsingle\n");
  writer.write("\tmore");
  writer.flush();
  EXPECT_EQ(out, "a           b\nsingle\nrest        more");
}

TEST(TabWriter, PartialCellAtFlushIsNotPadded) {
  EXPECT_EQ(tabulate("TAG\t<no value>\nlatest\t"), "TAG         <no value>\nlatest");
}

TEST(TabWriter, AlignRight) {
  TabWriter::Config config{5, 0, 1, ' ', TabWriter::kAlignRight};
  EXPECT_EQ(tabulate("a\tb\tc\td\t.\n123\t12345\t1234567\t123456789\t.\n\n", config),
            "    a     b       c         d.\n  123 12345 1234567 123456789.\n\n");
}

TEST(TabWriter, DebugMarksColumns) {
  TabWriter::Config config{0, 0, 1, '.', TabWriter::kAlignRight | TabWriter::kDebug};
  EXPECT_EQ(tabulate("a\tb\tc\naa\tbb\tcc\naaa\t\naaaa\tdddd\teeee\n", config),
            "....a|..b|c\n...aa|.bb|cc\n..aaa|\n.aaaa|.dddd|eeee\n");
}

TEST(TabWriter, DiscardEmptyColumns) {
  TabWriter::Config config{0, 8, 1, '-', TabWriter::kDiscardEmptyColumns};
  EXPECT_EQ(tabulate("a\v\vb\nc\v\vd\n", config), "a-b\nc-d\n");
  config.flags = 0;
  EXPECT_EQ(tabulate("a\v\vb\nc\v\vd\n", config), "a--b\nc--d\n");
}

TEST(TabWriter, TabPadding) {
  TabWriter::Config config{0, 8, 1, '\t', 0};
  EXPECT_EQ(tabulate("a\tb\naaaaaaaaa\tc\n", config), "a\t\tb\naaaaaaaaa\tc\n");
}

TEST(TabWriter, EscapedTextKeepsTabs) {
  std::string escaped =
      "\xff"
      "a\tb"
      "\xff";
  EXPECT_EQ(tabulate(escaped + "\tc\nxy\tz\n"), escaped + "         c\nxy          z\n");
  TabWriter::Config strip;
  strip.flags = TabWriter::kStripEscape;
  EXPECT_EQ(tabulate(escaped + "\tc\n", strip), "a\tb         c\n");
}

// A row of cells prints what the cells joined by tabs and ended by a newline print, after any
// text: cells that hold tabs, newlines, an escape or nothing at all, and rows of one cell.
TEST(TabWriter, RowOfCellsPrintsWhatItsTextPrints) {
  const std::vector<std::vector<std::string_view>> rows = {
      {"REPOSITORY", "TAG", "IMAGE ID"},
      {"localhost/averyveryverylongname", "1", "eb27c12b0479"},
      {"d\u00e9j\u00e0 vu", "", "0123456789ab"},
      {"only"},
      {},
      {"a\tb", "c\nd", "e"},
      {"\xff\tesc\xff", "f\vg", "h\fi"},
      {"12345678\t", "x", "1234567\xff"},
      {"<b>bold</b>", "&amp;", "z"}};
  for (std::string_view before : {"", "pending\t",
                                  "open\xff"
                                  "escape"}) {
    for (const auto& config : {TabWriterConfig{}, TabWriterConfig{.flags = TabWriter::kFilterHtml},
                               TabWriterConfig{.flags = TabWriter::kStripEscape}}) {
      std::string text(before);
      std::string out;
      TabWriter writer(out, config);
      writer.write(before);
      for (const auto& row : rows) {
        for (size_t i = 0; i < row.size(); ++i)
          text += std::string(row[i]) + (i + 1 < row.size() ? "\t" : "");
        text += "\n";
        writer.write_row(row);
      }
      writer.flush();
      EXPECT_EQ(out, tabulate(text, config)) << before;
    }
  }
}

}  // namespace
}  // namespace schicht::gotemplate
