#include "sbom/request.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "error_of.h"
#include "scoped_env.h"

namespace schicht::sbom {
namespace {

TEST(SbomRequest, Formats) {
  EXPECT_EQ(parse_format("spdx"), Format::kSpdxJson);
  EXPECT_EQ(parse_format("cyclonedx-json"), Format::kCycloneDxJson);
  EXPECT_EQ(document_title(Format::kCycloneDxJson), "sbom.cdx.json");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { parse_format("swid"); }),
            "unsupported --format \"swid\": spdx-json or cyclonedx-json");
}

TEST(SbomRequest, CreationTimeFollowsSourceDateEpoch) {
  test_env::ScopedEnv epoch("SOURCE_DATE_EPOCH", "86400");
  EXPECT_EQ(creation_time(), "1970-01-02T00:00:00Z");
  test_env::ScopedEnv bad("SOURCE_DATE_EPOCH", "soon");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { creation_time(); }),
            "SOURCE_DATE_EPOCH \"soon\": not a number of seconds");
}

TEST(SbomRequest, Repository) {
  EXPECT_EQ(repository_of("docker.io/library/debian:12"), "docker.io/library/debian");
  EXPECT_EQ(repository_of("localhost:5000/a@sha256:00"), "localhost:5000/a");
  EXPECT_EQ(repository_of("localhost:5000/a"), "localhost:5000/a");
}

TEST(SbomRequest, AttachDestinationAndCandidates) {
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { attach_destination("debian"); }),
            "--attach \"debian\": expected a registry repository (docker://HOST/REPOSITORY)");
  Reference plain = attach_destination("docker://localhost:5000/app");
  EXPECT_EQ(plain.domain, "localhost:5000");
  Digest a = Digest::sha256_of("a"), b = Digest::sha256_of("b");
  EXPECT_EQ(subject_candidates(plain, {a, b}, a, {"localhost/app:1", "localhost/app:1"}),
            (std::vector<std::string>{a.str(), b.str(), "1"}));
  Reference tagged = attach_destination("localhost:5000/app:v2");
  EXPECT_EQ(subject_candidates(tagged, {a}, a, {}), (std::vector<std::string>{"v2"}));
}

}  // namespace
}  // namespace schicht::sbom
