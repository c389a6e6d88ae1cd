// A compact JSON writer whose bytes equal what Go's encoding/json writes.
//
// Manifest and config digests are hashes of bytes, so schicht must write them exactly as
// podman and skopeo do: no whitespace, fields in Go struct order (the caller's order), and Go's
// string escaping. Go escapes `"`, `\`, control characters, the HTML-sensitive `<`, `>`, `&`
// (as \u003c, \u003e, \u0026) and U+2028/U+2029; it writes `/` and other non-ASCII text as is,
// and replaces each byte of invalid UTF-8 with \ufffd. \b and \f are written as \u0008 and
// \u000c, as Go before 1.22 (podman 4.3) does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace schicht {

// Appends `value` as a quoted, Go-escaped JSON string.
void append_go_json_string(std::string& out, std::string_view value);

class GoJsonWriter {
 public:
  GoJsonWriter& begin_object();
  GoJsonWriter& end_object();
  GoJsonWriter& begin_array();
  GoJsonWriter& end_array();
  // Writes an object member's name; the next call writes its value.
  GoJsonWriter& key(std::string_view name);
  GoJsonWriter& string(std::string_view value);
  GoJsonWriter& integer(int64_t value);
  GoJsonWriter& boolean(bool value);
  GoJsonWriter& null();

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void separate();

  std::string out_;
  bool need_comma_ = false;
};

}  // namespace schicht
