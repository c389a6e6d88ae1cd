// Fuzzes policy.json: the strict parser, then scope matching and evaluation (without
// signatures) of what parsed, for references of several shapes. A policy file may come from
// anyone who can write $HOME/.config/containers or is passed with --signature-policy; the
// parser must fail closed with an Error, never crash or accept half a file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/reference.h"
#include "trust/evaluate.h"
#include "trust/policy.h"
#include "trust/scope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  schicht::trust::Policy policy;
  try {
    policy = schicht::trust::parse_policy(text, "fuzz.json");
  } catch (const schicht::Error&) {
    return 0;  // refused: what the parser is for
  }
  for (const char* name : {"docker.io/library/alpine:3", "quay.io/a/b/c:latest",
                           "localhost:5000/x@sha256:"
                           "0000000000000000000000000000000000000000000000000000000000000000"}) {
    schicht::Reference ref = schicht::Reference::parse(name);
    schicht::trust::Subject subject{"docker", std::string("docker://") + name,
                                    schicht::trust::docker_scopes(ref)};
    schicht::trust::NoSignatures none;
    try {
      (void)schicht::trust::evaluate(policy, subject, none);
    } catch (const schicht::Error&) {
      // A requirement that needs what the fuzzer cannot give (key files) may refuse.
    }
  }
  schicht::trust::Subject archive{"oci-archive", "oci-archive:/tmp/a.tar",
                                  schicht::trust::path_scopes("/tmp/a.tar")};
  schicht::trust::NoSignatures none;
  try {
    (void)schicht::trust::evaluate(policy, archive, none);
  } catch (const schicht::Error&) {
  }
  return 0;
}
