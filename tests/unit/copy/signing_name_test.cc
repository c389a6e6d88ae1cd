#include <gtest/gtest.h>

#include <string>

#include "copy/signatures.h"
#include "core/error.h"

namespace schicht::copy {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_signing_name(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    return e.what();
  }
  return "";
}

TEST(SigningName, DockerOnly) {
  Reference ref = parse_signing_name("docker://localhost:5000/app:1");
  EXPECT_EQ(ref.domain, "localhost:5000");
  EXPECT_EQ(ref.tag, "1");
  EXPECT_EQ(error_of("app"),
            "parsing image name: Invalid image name \"app\", expected colon-separated "
            "transport:reference");
  EXPECT_EQ(error_of("oci:/tmp/x"),
            "parsing image name: Invalid image name \"oci:/tmp/x\", unknown transport \"oci\"");
  EXPECT_NE(error_of("docker://UPPER/x"), "");
}

}  // namespace
}  // namespace schicht::copy
