// The lines of a package database or os-release, one at a time, with their numbers for error
// messages: '\n' ends a line and a '\r' before it is dropped.
#pragma once

#include <cstddef>
#include <string_view>

namespace schicht::sbom {

class Lines {
 public:
  explicit Lines(std::string_view text) : text_(text) {}

  // The next line into `line`; false at the end of the text.
  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    ++number_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  }
  // The number of the line `next` gave last, from 1.
  size_t number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t number_ = 0;
};

}  // namespace schicht::sbom
