// Fuzzes the signature payload parser (simple signing and sigstore claims) and signedIdentity
// matching of the reference a payload claims. A payload that parses must build back into one
// that parses to the same claims.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "trust/base64.h"
#include "trust/identity.h"
#include "trust/signature_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace schicht::trust;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const schicht::Reference image = schicht::Reference::parse("localhost:5000/ns/a:1");
  for (std::string_view type : {kSigstorePayloadType, kSimpleSigningPayloadType}) {
    try {
      SignedClaims claims = parse_payload(text, type);
      SignedClaims again = parse_payload(build_payload(type, claims), type);
      if (again.docker_reference != claims.docker_reference ||
          again.manifest_digest != claims.manifest_digest || again.creator != claims.creator ||
          again.timestamp != claims.timestamp) {
        __builtin_trap();
      }
      for (const char* t : {"matchExact", "matchRepoDigestOrExact", "matchRepository"}) {
        (void)identity_matches(SignedIdentity{.type = t}, image, claims.docker_reference);
      }
    } catch (const schicht::Error&) {
    }
  }
  (void)base64_decode(text);
  return 0;
}
