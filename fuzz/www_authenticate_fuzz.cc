// Fuzzes the WWW-Authenticate parser. It is documented never to throw (a registry's odd header
// must not hide a usable challenge), so any exception at all is a finding here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "registry/auth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  for (const auto& challenge : schicht::registry::parse_www_authenticate(value)) {
    (void)challenge.param("realm");
  }
  // Several header fields: split the input at newlines.
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t nl; (nl = value.find('\n', start)) != std::string_view::npos; start = nl + 1) {
    fields.emplace_back(value.substr(start, nl - start));
  }
  fields.emplace_back(value.substr(start));
  (void)schicht::registry::parse_www_authenticate(fields);
  // Decoding is as lenient as Go's StdEncoding (non-zero padding bits pass), so only this
  // direction of the round trip must hold.
  if (schicht::registry::base64_decode(schicht::registry::base64_encode(value)) != value) {
    __builtin_trap();
  }
  (void)schicht::registry::base64_decode(value);
  return 0;
}
