#include "trust/unique_keys_json.h"

#include <fmt/format.h>

#include <set>
#include <vector>

namespace schicht::trust {
namespace {

// Where and why `bytes` are not JSON, in Go's words where they fit (podman reports its JSON
// decoder's errors); never nlohmann's exception text.
std::string syntax_error_of(std::string_view bytes, const nlohmann::json::exception& e) {
  const auto* parse = dynamic_cast<const nlohmann::json::parse_error*>(&e);
  if (parse == nullptr) return "invalid JSON";  // e.g. a number too large for a double
  if (parse->byte == 0 || parse->byte > bytes.size()) return "unexpected end of JSON input";
  auto c = static_cast<unsigned char>(bytes[parse->byte - 1]);
  std::string shown =
      c >= 0x20 && c < 0x7f ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
  return fmt::format("invalid character '{}' at offset {}", shown, parse->byte);
}

}  // namespace

UniqueKeysJson parse_unique_keys_json(std::string_view bytes) {
  using nlohmann::json;
  UniqueKeysJson out;
  std::vector<std::set<std::string>> open;  // the keys of each object being parsed
  auto callback = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      open.pop_back();
    } else if (event == json::parse_event_t::key && !open.empty()) {
      std::string key = parsed.get<std::string>();
      if (!open.back().insert(key).second && out.duplicate_key.empty()) out.duplicate_key = key;
    }
    return true;
  };
  // nlohmann takes a NUL byte for the end of the input and would ignore what follows it; Go, and
  // so podman, refuses the document.
  if (size_t nul = bytes.find('\0'); nul != std::string_view::npos) {
    out.syntax_error = fmt::format("invalid character '\\x00' at offset {}", nul + 1);
    return out;
  }
  try {
    out.doc = json::parse(bytes.begin(), bytes.end(), callback);
  } catch (const json::exception& e) {
    out.syntax_error = syntax_error_of(bytes, e);
  }
  return out;
}

}  // namespace schicht::trust
