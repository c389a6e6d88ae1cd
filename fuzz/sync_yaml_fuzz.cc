// Fuzzes image sync's YAML file (copy/sync_yaml.h) and image scp's locations (copy/scp.h):
// every input either parses or fails with schicht's Error, within the limits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "copy/scp.h"
#include "copy/sync_yaml.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& registry : schicht::copy::parse_sync_yaml(text, "fuzz.yaml")) {
      for (const auto& [repository, regex] : registry.images_by_tag_regex) {
        (void)schicht::copy::tag_matches(regex, repository);
      }
    }
  } catch (const schicht::Error&) {
  }
  try {
    (void)schicht::copy::parse_scp_location(text.substr(0, 256));
  } catch (const schicht::Error&) {
  }
  return 0;
}
