#include "gotemplate/tabwriter.h"

#include <array>
#include <cstring>
#include <optional>

namespace schicht::gotemplate {
namespace {

constexpr char kEscape = '\xff';

constexpr uint64_t kOnes = 0x0101010101010101;
constexpr uint64_t kHighs = 0x8080808080808080;

// How many of a word's bytes are UTF-8 continuation bytes (10xxxxxx): bit 7 set and bit 6
// clear, summed by one multiplication (the baseline x86-64 has no popcount instruction).
size_t continuations(uint64_t word) {
  return static_cast<size_t>((((word & ~(word << 1) & kHighs) >> 7) * kOnes) >> 56);
}

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xc0) == 0x80;
}

// Runes are the bytes that are not UTF-8 continuation bytes; eight at a time, since a table of
// thousands of rows passes every byte through here.
size_t rune_count(std::string_view s) {
  size_t count = s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    count -= continuations(word);
  }
  for (; i < s.size(); ++i) count -= is_continuation(s[i]) ? 1 : 0;
  return count;
}

// The runes of `s`, or nullopt when it may hold a byte write() acts on without kFilterHtml: a
// byte below 0x0d (the specials '\t' '\n' '\v' '\f', or a control byte no cell holds) or 0xff.
// One pass over a table's cells, so that write_row need not feed them through write().
std::optional<size_t> plain_width(std::string_view s) {
  size_t count = s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    // Some byte below 0x0d, some byte 0xff (a zero byte of ~word).
    if ((((word - kOnes * 0x0d) & ~word) | ((~word - kOnes) & word)) & kHighs) return std::nullopt;
    count -= continuations(word);
  }
  for (; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x0d || c == 0xff) return std::nullopt;
    count -= is_continuation(s[i]) ? 1 : 0;
  }
  return count;
}

// The bytes write() acts on; with kFilterHtml also '<' and '&'.
constexpr std::array<bool, 256> special_bytes(bool html) {
  std::array<bool, 256> table{};
  for (char c : {'\t', '\v', '\n', '\f', kEscape}) table[static_cast<unsigned char>(c)] = true;
  if (html) table['<'] = table['&'] = true;
  return table;
}

constexpr std::array<bool, 256> kSpecial = special_bytes(false);
constexpr std::array<bool, 256> kSpecialHtml = special_bytes(true);

}  // namespace

TabWriter::TabWriter(std::string& out, Config config) : out_(out), config_(config) {
  // Tab padding only works left-aligned.
  if (config_.pad_char == '\t') config_.flags &= ~kAlignRight;
  reset();
}

void TabWriter::reset() {
  buf_.clear();
  pos_ = 0;
  cell_ = Cell{};
  end_char_ = 0;
  cells_.clear();
  line_starts_.clear();
  widths_.clear();
  add_line();
}

void TabWriter::add_line() {
  line_starts_.push_back(cells_.size());
}

std::span<const TabWriter::Cell> TabWriter::line(size_t i) const {
  size_t end = i + 1 < line_starts_.size() ? line_starts_[i + 1] : cells_.size();
  return std::span(cells_).subspan(line_starts_[i], end - line_starts_[i]);
}

void TabWriter::update_width() {
  cell_.width += rune_count(std::string_view(buf_).substr(pos_));
  pos_ = buf_.size();
}

size_t TabWriter::terminate_cell(bool htab) {
  cell_.htab = htab;
  cells_.push_back(cell_);
  cell_ = Cell{};
  return cells_.size() - line_starts_.back();
}

void TabWriter::start_escape(char c) {
  switch (c) {
    case kEscape:
      end_char_ = kEscape;
      break;
    case '<':
      end_char_ = '>';
      break;
    case '&':
      end_char_ = ';';
      break;
    default:
      break;
  }
}

void TabWriter::end_escape() {
  switch (end_char_) {
    case kEscape:
      update_width();
      if ((config_.flags & kStripEscape) == 0) cell_.width -= 2;  // the escape bytes show no width
      break;
    case '>':
      break;  // a tag has no width
    case ';':
      ++cell_.width;
      break;  // an entity is one character
    default:
      break;
  }
  pos_ = buf_.size();
  end_char_ = 0;
}

void TabWriter::write(std::string_view text) {
  const auto& special = (config_.flags & kFilterHtml) != 0 ? kSpecialHtml : kSpecial;
  size_t n = 0;  // start of the text not yet appended to buf_
  for (size_t i = 0; i < text.size(); ++i) {
    if (end_char_ == 0) {
      while (i < text.size() && !special[static_cast<unsigned char>(text[i])]) ++i;
      if (i == text.size()) break;
    }
    char c = text[i];
    if (end_char_ == 0) {
      switch (c) {
        case '\t':
        case '\v':
        case '\n':
        case '\f': {
          buf_.append(text.substr(n, i - n));
          cell_.size += i - n;
          update_width();
          n = i + 1;
          size_t cells = terminate_cell(c == '\t');
          if (c == '\n') {
            end_line(cells);
          } else if (c == '\f') {
            add_line();
            flush_buffered();
            if ((config_.flags & kDebug) != 0) out_ += "---\n";
          }
          break;
        }
        case kEscape:
          buf_.append(text.substr(n, i - n));
          cell_.size += i - n;
          update_width();
          n = i;
          if ((config_.flags & kStripEscape) != 0) ++n;
          start_escape(kEscape);
          break;
        case '<':
        case '&':
          if ((config_.flags & kFilterHtml) != 0) {
            buf_.append(text.substr(n, i - n));
            cell_.size += i - n;
            update_width();
            n = i;
            start_escape(c);
          }
          break;
        default:
          break;
      }
    } else if (c == end_char_) {
      size_t j = i + 1;
      if (c == kEscape && (config_.flags & kStripEscape) != 0) j = i;
      buf_.append(text.substr(n, j - n));
      cell_.size += j - n;
      n = i + 1;
      end_escape();
    }
  }
  buf_.append(text.substr(n));
  cell_.size += text.size() - n;
}

void TabWriter::write_row(std::span<const std::string_view> cells) {
  bool plain = end_char_ == 0 && (config_.flags & kFilterHtml) == 0;
  row_widths_.clear();
  for (size_t i = 0; plain && i < cells.size(); ++i) {
    auto width = plain_width(cells[i]);
    plain = width.has_value();
    if (plain) row_widths_.push_back(*width);
  }
  if (!plain) {
    for (size_t i = 0; i < cells.size(); ++i) {
      write(cells[i]);
      if (i + 1 < cells.size()) write("\t");
    }
    write("\n");
    return;
  }
  update_width();  // text written before the row, in its first cell
  for (size_t i = 0; i < cells.size(); ++i) {
    buf_.append(cells[i]);
    cell_.size += cells[i].size();
    cell_.width += row_widths_[i];
    pos_ = buf_.size();
    if (i + 1 < cells.size()) terminate_cell(true);
  }
  end_line(terminate_cell(false));
}

void TabWriter::end_line(size_t cells) {
  add_line();
  // A line of one cell cannot affect later columns, so everything so far is final.
  if (cells == 1) flush_buffered();
}

void TabWriter::reserve(size_t lines, size_t cells, size_t bytes) {
  line_starts_.reserve(lines + 1);
  cells_.reserve(cells);
  buf_.reserve(bytes);
}

void TabWriter::flush() {
  flush_buffered();
}

void TabWriter::flush_buffered() {
  if (cell_.size > 0) {
    if (end_char_ != 0) end_escape();  // an unfinished escape ends here
    terminate_cell(false);
  }
  // The text, plus padding that at most fills each column to its widest cell.
  size_t widest = static_cast<size_t>(config_.min_width);
  for (const Cell& cell : cells_) widest = std::max(widest, cell.width);
  out_.reserve(out_.size() + buf_.size() +
               cells_.size() * (widest + static_cast<size_t>(config_.padding)) + line_count());
  format(0, 0, line_count());
  reset();
}

// Lays out lines [line0, line1) whose text starts at buf_[pos], one column deeper than
// widths_ already covers; returns the buffer position after them.
size_t TabWriter::format(size_t pos, size_t line0, size_t line1) {
  size_t column = widths_.size();
  for (size_t current = line0; current < line1; ++current) {
    if (column + 1 >= line(current).size()) continue;
    // This line has a cell in `column` (the last cell of a line is in no column): a column
    // block starts here. Lines before it are complete with the widths known so far.
    pos = write_lines(pos, line0, current);
    line0 = current;
    size_t width = static_cast<size_t>(config_.min_width);
    bool discardable = true;
    for (; current < line1; ++current) {
      auto cells = line(current);
      if (column + 1 >= cells.size()) break;
      const Cell& cell = cells[column];
      width = std::max(width, cell.width + static_cast<size_t>(config_.padding));
      if (cell.width > 0 || cell.htab) discardable = false;
    }
    if (discardable && (config_.flags & kDiscardEmptyColumns) != 0) width = 0;
    widths_.push_back(width);
    pos = format(pos, line0, current);
    widths_.pop_back();
    line0 = current;
  }
  return write_lines(pos, line0, line1);
}

size_t TabWriter::write_lines(size_t pos, size_t line0, size_t line1) {
  for (size_t i = line0; i < line1; ++i) {
    auto cells = line(i);
    bool use_tabs = (config_.flags & kTabIndent) != 0;
    for (size_t j = 0; j < cells.size(); ++j) {
      const Cell& cell = cells[j];
      if (j > 0 && (config_.flags & kDebug) != 0) out_ += '|';
      if (cell.size == 0) {
        if (j < widths_.size()) write_padding(cell.width, widths_[j], use_tabs);
        continue;
      }
      use_tabs = false;
      if ((config_.flags & kAlignRight) == 0) {
        out_.append(buf_, pos, cell.size);
        pos += cell.size;
        if (j < widths_.size()) write_padding(cell.width, widths_[j], false);
      } else {
        if (j < widths_.size()) write_padding(cell.width, widths_[j], false);
        out_.append(buf_, pos, cell.size);
        pos += cell.size;
      }
    }
    if (i + 1 == line_count()) {
      // The last buffered line has no newline yet: emit the unfinished cell's text.
      out_.append(buf_, pos, cell_.size);
      pos += cell_.size;
    } else {
      out_ += '\n';
    }
  }
  return pos;
}

void TabWriter::write_padding(size_t text_width, size_t cell_width, bool use_tabs) {
  if (config_.pad_char == '\t' || use_tabs) {
    if (config_.tab_width == 0) return;  // tabs have no width: no padding possible
    auto tab = static_cast<size_t>(config_.tab_width);
    cell_width = (cell_width + tab - 1) / tab * tab;
    size_t n = cell_width - text_width;
    out_.append((n + tab - 1) / tab, '\t');
    return;
  }
  out_.append(cell_width - text_width, config_.pad_char);
}

}  // namespace schicht::gotemplate
