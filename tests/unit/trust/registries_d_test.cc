// registries.d: parsing and the lookup of lookaside URLs.
#include <gtest/gtest.h>

#include "core/error.h"
#include "trust/registries_d.h"

namespace schicht::trust {
namespace {

Reference ref(std::string_view text) {
  return Reference::parse(text);
}

TEST(RegistriesDTest, MostSpecificNamespaceWinsPerKey) {
  RegistriesD d;
  d.add(R"(default-docker:
  lookaside-staging: file:///staging
docker:
  reg.example.com:
    lookaside: https://sigs.example.com/l
  reg.example.com/dept:
    sigstore: file:///dept
    use-sigstore-attachments: true
)",
        "a.yaml");
  EXPECT_EQ(d.read_base(ref("reg.example.com/dept/app:1")), "file:///dept");
  EXPECT_EQ(d.read_base(ref("reg.example.com/other:1")), "https://sigs.example.com/l");
  EXPECT_TRUE(d.use_sigstore_attachments(ref("reg.example.com/dept/app:1")));
  EXPECT_FALSE(d.use_sigstore_attachments(ref("reg.example.com/other:1")));
  // The namespace's own read URL comes before default-docker's staging one.
  EXPECT_EQ(d.write_base(ref("reg.example.com/dept/app:1")), "file:///dept");
  EXPECT_EQ(d.write_base(ref("quay.io/a:1")), "file:///staging");
  EXPECT_EQ(
      lookaside_url("file:///s/", ref("reg.example.com/dept/app:1"), Digest::sha256_of("m"), 2),
      "file:///s/dept/app@sha256=" + std::string(Digest::sha256_of("m").hex()) + "/signature-2");
}

TEST(RegistriesDTest, StrictAndNoDuplicates) {
  RegistriesD d;
  EXPECT_THROW(d.add("docker:\n  quay.io:\n    lookasid: x\n", "a.yaml"), Error);
  EXPECT_THROW(d.add("dokker: {}\n", "a.yaml"), Error);
  EXPECT_THROW(d.add("docker: [\n", "a.yaml"), Error);
  // A parse error names the file and the place in schicht's words, not yaml-cpp's.
  try {
    d.add("docker:\n  quay.io: [a, b\n", "c.yaml");
    FAIL();
  } catch (const Error& e) {
    std::string text = e.what();
    EXPECT_EQ(text.rfind("invalid registries.d file \"c.yaml\": line ", 0), 0u) << text;
    EXPECT_EQ(text.find("yaml-cpp"), std::string::npos) << text;
  }
  d.add("docker:\n  quay.io:\n    lookaside: file:///a\n", "a.yaml");
  try {
    d.add("docker:\n  quay.io:\n    lookaside: file:///b\n", "b.yaml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a.yaml"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace schicht::trust
