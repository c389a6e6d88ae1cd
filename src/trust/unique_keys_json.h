// JSON documents whose objects must not repeat a key. nlohmann keeps the last of duplicated
// keys silently; in policy.json or a signed claim a second value could hide behind the first.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace schicht::trust {

struct UniqueKeysJson {
  nlohmann::json doc;
  std::string syntax_error;   // not empty: `bytes` are not JSON
  std::string duplicate_key;  // not empty: the first key an object repeats
};

UniqueKeysJson parse_unique_keys_json(std::string_view bytes);

}  // namespace schicht::trust
