#include "oci/go_json.h"

namespace schicht {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void append_unicode_escape(std::string& out, unsigned code) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHexDigits[(code >> shift) & 0xF];
}

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Length of the valid UTF-8 sequence starting at text[pos] (2..4), or 0 when it is invalid
// in the sense of Go's utf8.DecodeRuneInString: overlong forms, surrogates, > U+10FFFF.
size_t valid_sequence_length(std::string_view text, size_t pos, unsigned& code) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[pos + i]); };
  const unsigned char lead = byte(0);
  struct Form {
    unsigned char first_lead, last_lead;
    size_t length;
    unsigned lead_bits, min_code;
  };
  static constexpr Form kForms[] = {
      {0xC2, 0xDF, 2, 0x1F, 0x80},
      {0xE0, 0xEF, 3, 0x0F, 0x800},
      {0xF0, 0xF4, 4, 0x07, 0x10000},
  };
  const Form* form = nullptr;
  for (const Form& candidate : kForms) {
    if (lead >= candidate.first_lead && lead <= candidate.last_lead) form = &candidate;
  }
  if (form == nullptr) return 0;
  const size_t length = form->length;
  const unsigned min_code = form->min_code;
  code = lead & form->lead_bits;
  if (pos + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if (!is_continuation(byte(i))) return 0;
    code = (code << 6) | (byte(i) & 0x3F);
  }
  if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

}  // namespace

void append_go_json_string(std::string& out, std::string_view value) {
  out += '"';
  size_t pos = 0;
  while (pos < value.size()) {
    const auto c = static_cast<unsigned char>(value[pos]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '<':
        case '>':
        case '&':
          append_unicode_escape(out, c);
          break;
        default:
          if (c < 0x20) {
            append_unicode_escape(out, c);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++pos;
      continue;
    }
    unsigned code = 0;
    const size_t length = valid_sequence_length(value, pos, code);
    if (length == 0) {
      out += "\\ufffd";
      ++pos;
    } else if (code == 0x2028 || code == 0x2029) {
      append_unicode_escape(out, code);
      pos += length;
    } else {
      out.append(value.substr(pos, length));
      pos += length;
    }
  }
  out += '"';
}

void GoJsonWriter::separate() {
  if (need_comma_) out_ += ',';
}

GoJsonWriter& GoJsonWriter::begin_object() {
  separate();
  out_ += '{';
  need_comma_ = false;
  return *this;
}

GoJsonWriter& GoJsonWriter::end_object() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}

GoJsonWriter& GoJsonWriter::begin_array() {
  separate();
  out_ += '[';
  need_comma_ = false;
  return *this;
}

GoJsonWriter& GoJsonWriter::end_array() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}

GoJsonWriter& GoJsonWriter::key(std::string_view name) {
  separate();
  append_go_json_string(out_, name);
  out_ += ':';
  need_comma_ = false;
  return *this;
}

GoJsonWriter& GoJsonWriter::string(std::string_view value) {
  separate();
  append_go_json_string(out_, value);
  need_comma_ = true;
  return *this;
}

GoJsonWriter& GoJsonWriter::integer(int64_t value) {
  separate();
  out_ += std::to_string(value);
  need_comma_ = true;
  return *this;
}

GoJsonWriter& GoJsonWriter::boolean(bool value) {
  separate();
  out_ += value ? "true" : "false";
  need_comma_ = true;
  return *this;
}

GoJsonWriter& GoJsonWriter::null() {
  separate();
  out_ += "null";
  need_comma_ = true;
  return *this;
}

}  // namespace schicht
