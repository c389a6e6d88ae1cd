// Fuzzes the manifest, index and config parsers, with the Content-Type taken from the input's
// first line so that the type checks between header and body are reached as well. What parses
// must also serialize without failing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "oci/config.h"
#include "oci/index.h"
#include "oci/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view content_type;
  std::string_view body = input;
  if (size_t nl = input.find('\n'); nl != std::string_view::npos && nl < 128) {
    content_type = input.substr(0, nl);
    body = input.substr(nl + 1);
  }
  (void)schicht::detect_manifest_type(body, content_type);
  (void)schicht::detect_manifest_type(input);
  try {
    schicht::serialize_manifest(schicht::parse_manifest(std::string(body), content_type));
  } catch (const schicht::Error&) {
  }
  try {
    schicht::serialize_index(schicht::parse_index(std::string(body), content_type));
  } catch (const schicht::Error&) {
  }
  try {
    schicht::serialize_config(schicht::parse_config(std::string(input)));
  } catch (const schicht::Error&) {
  }
  return 0;
}
