#include "serve/htpasswd.h"

#include <crypt.h>
#include <gtest/gtest.h>

#include <memory>

#include "core/error.h"

namespace schicht::serve {
namespace {

std::string bcrypt(const std::string& password) {
  char* salt = crypt_gensalt_ra("$2y$", 4, nullptr, 0);
  auto data = std::make_unique<crypt_data>();
  std::string hash = crypt_r(password.c_str(), salt, data.get());
  free(salt);
  return hash;
}

TEST(Htpasswd, ChecksBcryptBasicCredentials) {
  Htpasswd h =
      Htpasswd::parse("# users\nalice:" + bcrypt("s3cret") + "\n\nbob:" + bcrypt("x"), "test");
  EXPECT_TRUE(h.verify("alice", "s3cret"));
  EXPECT_TRUE(h.verify("alice", "s3cret"));  // the remembered path
  EXPECT_FALSE(h.verify("alice", "wrong"));
  EXPECT_FALSE(h.verify("carol", "s3cret"));
  EXPECT_EQ(h.check("Basic YWxpY2U6czNjcmV0"), "alice");  // alice:s3cret
  EXPECT_EQ(h.check("basic YWxpY2U6czNjcmV0"), "alice");
  EXPECT_FALSE(h.check("Basic YWxpY2U6d3Jvbmc="));  // alice:wrong
  EXPECT_FALSE(h.check("Bearer x"));
  EXPECT_FALSE(h.check(""));
  EXPECT_FALSE(h.check("Basic !!!!"));
}

TEST(Htpasswd, RefusesMalformedLines) {
  try {
    Htpasswd::parse("alice:plain\n", "f");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput);
    EXPECT_NE(std::string(e.what()).find("f:1"), std::string::npos);
  }
  EXPECT_THROW(Htpasswd::parse("ok:$2y$x\nnocolon\n", "f"), Error);
}

TEST(Base64, Decodes) {
  EXPECT_EQ(decode_base64("YQ=="), "a");
  EXPECT_EQ(decode_base64("YWI="), "ab");
  EXPECT_EQ(decode_base64("YWJj"), "abc");
  EXPECT_EQ(decode_base64(""), "");
  EXPECT_FALSE(decode_base64("YQ="));
  EXPECT_FALSE(decode_base64("Y=Q="));
}

}  // namespace
}  // namespace schicht::serve
