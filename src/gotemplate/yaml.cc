#include "gotemplate/yaml.h"

#include <algorithm>
#include <regex>
#include <vector>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

namespace schicht::gotemplate {

using nlohmann::ordered_json;

namespace {

bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// go-yaml v2's keyList.Less: letters by code, a letter after anything else, digit runs by
// their value.
bool key_less(const std::string& a, const std::string& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] == b[i]) continue;
    bool al = is_letter(a[i]), bl = is_letter(b[i]);
    if (al && bl) return a[i] < b[i];
    if (al || bl) return bl;
    if (a[i] == '0' || b[i] == '0') {
      // A leading zero starts no number: go-yaml compares the runs as text.
      return a[i] < b[i];
    }
    size_t ai = i, bi = i;
    unsigned long long an = 0, bn = 0;
    for (; ai < a.size() && is_digit(a[ai]); ++ai)
      an = an * 10 + static_cast<unsigned>(a[ai] - '0');
    for (; bi < b.size() && is_digit(b[bi]); ++bi)
      bn = bn * 10 + static_cast<unsigned>(b[bi] - '0');
    if (an != bn) return an < bn;
    if (ai != bi) return ai < bi;
    return a[i] < b[i];
  }
  return a.size() < b.size();
}

// Whether go-yaml would read the plain text back as something other than a string.
bool resolves_to_non_string(const std::string& s) {
  static const std::regex kSpecial(
      "|~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|"
      "on|On|ON|off|Off|OFF|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|<<");
  static const std::regex kNumber(
      "[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*|"
      "(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_"
      "]*)?)");
  return std::regex_match(s, kSpecial) || std::regex_match(s, kNumber);
}

// libyaml's analysis of what a plain scalar may hold (block context).
bool plain_allowed(const std::string& s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  static constexpr std::string_view kIndicators = "-?:,[]{}#&*!|>'\"%@`";
  if (kIndicators.find(s.front()) != std::string_view::npos) {
    // "-", "?" and ":" start a plain scalar when a non-space follows.
    bool ok =
        (s.front() == '-' || s.front() == '?' || s.front() == ':') && s.size() > 1 && s[1] != ' ';
    if (!ok) return false;
  }
  if (s.back() == ':') return false;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u != 0x7f;
  });
}

std::string double_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02X}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string single_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// A string scalar; a multi-line one as a block at `indent`.
std::string string_scalar(const std::string& s, int indent) {
  if (s.find('\n') != std::string::npos) {
    std::string out = s.ends_with('\n') ? "|" : "|-";
    std::string body = s.ends_with('\n') ? s.substr(0, s.size() - 1) : s;
    size_t start = 0;
    while (true) {
      size_t end = body.find('\n', start);
      std::string line = body.substr(start, end == std::string::npos ? end : end - start);
      out += "\n";
      if (!line.empty()) out += std::string(static_cast<size_t>(indent), ' ') + line;
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return out;
  }
  if (resolves_to_non_string(s)) return double_quoted(s);
  if (!plain_allowed(s)) {
    bool printable = std::all_of(s.begin(), s.end(),
                                 [](char c) { return static_cast<unsigned char>(c) >= 0x20; });
    return printable ? single_quoted(s) : double_quoted(s);
  }
  return s;
}

std::string scalar(const ordered_json& v, int indent) {
  if (v.is_null()) return "null";
  if (v.is_string()) return string_scalar(v.get<std::string>(), indent);
  return v.dump();
}

bool is_block(const ordered_json& v) {
  return (v.is_object() || v.is_array()) && !v.empty();
}

void emit(std::string& out, const ordered_json& v, int indent);

// A value after "key:" or "- ": a block on the next lines, or a scalar on this one.
void emit_value(std::string& out, const ordered_json& v, int indent, bool in_sequence) {
  if (v.is_object() && !v.empty()) {
    if (in_sequence) {
      // The first key goes on the dash's line.
      std::string block;
      emit(block, v, indent);
      out += block.substr(static_cast<size_t>(indent));
      return;
    }
    out += "\n";
    emit(out, v, indent);
  } else if (v.is_array() && !v.empty()) {
    out += "\n";
    emit(out, v, indent);
  } else if (v.is_object()) {
    out += " {}\n";
  } else if (v.is_array()) {
    out += " []\n";
  } else {
    out += " " + scalar(v, indent) + "\n";
  }
}

void emit(std::string& out, const ordered_json& v, int indent) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (v.is_object()) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : v.items()) keys.push_back(key);
    std::sort(keys.begin(), keys.end(), key_less);
    for (const auto& key : keys) {
      const ordered_json& value = v[key];
      out += pad + string_scalar(key, indent) + ":";
      // go-yaml leaves a sequence in a map at the map's indentation.
      emit_value(out, value, value.is_array() ? indent : indent + 2, false);
    }
  } else if (v.is_array()) {
    for (const auto& value : v) {
      out += pad + "-";
      if (value.is_array() && !value.empty()) {
        emit_value(out, value, indent + 2, true);
      } else if (value.is_object() && !value.empty()) {
        out += " ";
        emit_value(out, value, indent + 2, true);
      } else {
        emit_value(out, value, indent + 2, true);
      }
    }
  }
}

}  // namespace

std::string go_yaml(const nlohmann::ordered_json& value) {
  if (!is_block(value)) {
    std::string out;
    emit_value(out, value, 0, false);
    return out.substr(1);
  }
  std::string out;
  emit(out, value, 0);
  return out;
}

}  // namespace schicht::gotemplate
