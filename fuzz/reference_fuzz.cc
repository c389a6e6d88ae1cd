// Fuzzes the reference grammar and its normalizations. Every parse that succeeds must print
// back to a string that parses to the same reference: str() is what schicht stores as a name.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "core/reference.h"

namespace {

void round_trip(const schicht::Reference& ref) {
  if (schicht::Reference::parse(ref.str()) != ref) __builtin_trap();
  (void)ref.familiar();
  (void)ref.with_default_tag();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using schicht::Reference;
  // Each parser fails on its own inputs, so each gets its own try.
  try {
    round_trip(Reference::parse(text));
  } catch (const schicht::Error&) {
  }
  try {
    round_trip(Reference::parse_docker_ref(text));
  } catch (const schicht::Error&) {
  }
  try {
    round_trip(Reference::parse_local(text));
  } catch (const schicht::Error&) {
  }
  try {
    (void)Reference::parse_unnormalized(text).str();
  } catch (const schicht::Error&) {
  }
  (void)Reference::try_parse(text);
  (void)schicht::has_explicit_domain(text);
  (void)schicht::is_valid_tag(text);
  return 0;
}
