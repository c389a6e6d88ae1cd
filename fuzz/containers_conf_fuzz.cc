// Fuzzes containers.conf parsing ([engine] events settings) and the human-size reader it uses.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "store/containers_conf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)schicht::store::parse_engine_conf(text, "fuzz.conf", {});
  } catch (const schicht::Error&) {
    // Refusing a file podman would refuse is the expected outcome for most inputs.
  }
  try {
    (void)schicht::store::parse_human_size(text);
  } catch (const schicht::Error&) {
  }
  return 0;
}
