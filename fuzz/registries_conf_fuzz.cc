// Fuzzes registries.conf parsing (v1 and v2, main file and drop-in) and then the lookups that
// run on what was parsed, with a few fixed references.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "core/reference.h"
#include "registry/registries_conf.h"

namespace {

void exercise(const schicht::registry::RegistriesConf& conf) {
  (void)conf.unqualified_search_registries();
  (void)conf.short_name_mode();
  (void)conf.credential_helpers();
  (void)conf.alias("alpine");
  for (const char* text : {"docker.io/library/alpine:3",
                           "quay.io/a/b@sha256:"
                           "0000000000000000000000000000000000000000000000000000000000000000",
                           "localhost:5000/x/y:z"}) {
    auto ref = schicht::Reference::parse(text);
    (void)conf.find(ref.str());
    try {
      (void)conf.pull_endpoints(ref);
      (void)conf.endpoint(ref);
    } catch (const schicht::Error&) {
      // A rewrite to a location that makes an invalid reference is refused, as c/image does.
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using schicht::registry::RegistriesConf;
  try {
    auto conf = RegistriesConf::parse(text, "fuzz.conf");
    exercise(conf);
    auto drop_in = RegistriesConf::parse(text, "fuzz.d/1.conf", /*drop_in=*/true);
    conf.merge(drop_in);
    exercise(conf);
  } catch (const schicht::Error&) {
  }
  return 0;
}
