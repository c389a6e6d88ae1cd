#include "trust/unique_keys_json.h"

#include <set>
#include <vector>

namespace schicht::trust {

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
  try {
    out.doc = json::parse(bytes.begin(), bytes.end(), callback);
  } catch (const json::exception& e) {
    out.syntax_error = e.what();
  }
  return out;
}

}  // namespace schicht::trust
