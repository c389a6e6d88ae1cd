// Go's text/tabwriter: aligns tab-terminated cells into columns, as podman's tables use it.
//
// Text is a sequence of lines; each '\t' (or the soft '\v') ends a cell. The cells of column k
// in a block of consecutive lines that all have a cell k form a column block: its width is the
// widest cell plus `padding`, at least `min_width`. A line with fewer cells ends the blocks of
// the columns it lacks; a line's last cell (the text after its last tab) belongs to no column
// and is never padded. Widths count UTF-8 runes. A line without any tab, and '\f', flush.
//
// podman (containers/common/pkg/report) writes tables through
// tabwriter.NewWriter(out, 12, 2, 2, ' ', 0): the defaults of TabWriterConfig.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace schicht::gotemplate {

// podman's settings are the defaults.
struct TabWriterConfig {
  int min_width = 12;
  int tab_width = 2;
  int padding = 2;
  char pad_char = ' ';
  unsigned flags = 0;  // TabWriter::Flags
};

class TabWriter {
 public:
  // Go's tabwriter flags.
  enum Flags : unsigned {
    kFilterHtml = 1,           // HTML tags have no width, entities count as one rune
    kStripEscape = 2,          // drop the 0xff escape bytes from the output
    kAlignRight = 4,           // pad before the cell text
    kDiscardEmptyColumns = 8,  // columns of only empty soft cells take no space
    kTabIndent = 16,           // pad leading empty cells with tabs
    kDebug = 32,               // a '|' between columns
  };

  using Config = TabWriterConfig;

  // Formatted text is appended to `out` (on flush, or when a line makes it final).
  explicit TabWriter(std::string& out, Config config = Config{});

  void write(std::string_view text);
  // write() of `cells` joined by '\t' and ended by '\n': one line of a table, given as cells so
  // that text which holds no byte write() acts on (the usual cell) is not scanned for them.
  void write_row(std::span<const std::string_view> cells);
  // Room for `lines` lines of `cells` cells and `bytes` bytes of text, when the caller knows:
  // a table of thousands of rows then grows no buffer by copying.
  void reserve(size_t lines, size_t cells, size_t bytes);
  // Formats and emits everything buffered; call it after the last write.
  void flush();

 private:
  struct Cell {
    size_t size = 0;    // bytes of text
    size_t width = 0;   // runes shown
    bool htab = false;  // ended by '\t' rather than '\v'
  };

  void reset();
  void add_line();
  size_t line_count() const { return line_starts_.size(); }
  std::span<const Cell> line(size_t i) const;
  void update_width();
  size_t terminate_cell(bool htab);
  void end_line(size_t cells);
  void start_escape(char c);
  void end_escape();
  void flush_buffered();
  size_t format(size_t pos, size_t line0, size_t line1);
  size_t write_lines(size_t pos, size_t line0, size_t line1);
  void write_padding(size_t text_width, size_t cell_width, bool use_tabs);

  std::string& out_;
  Config config_;
  std::string buf_;    // text of the buffered cells, without tabs and newlines
  size_t pos_ = 0;     // how far into buf_ the current cell's width is counted
  Cell cell_;          // the cell being filled
  char end_char_ = 0;  // what ends the current escaped or HTML run, 0 outside one
  // The cells of every buffered line in one array (a table of thousands of rows would otherwise
  // allocate a vector per line); line i is cells_[line_starts_[i], line_starts_[i + 1]).
  std::vector<Cell> cells_;
  std::vector<size_t> line_starts_;
  std::vector<size_t> widths_;      // widths of the columns being formatted
  std::vector<size_t> row_widths_;  // widths of the cells write_row is adding
};

}  // namespace schicht::gotemplate
