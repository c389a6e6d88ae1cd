#include "registry/auth.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace schicht::registry {
namespace {

using testing::error_of;

TEST(WwwAuthenticate, ParsesBearerWithQuotedParams) {
  auto challenges = parse_www_authenticate(
      R"(Bearer realm="https://auth.example.com/token",service="registry.example.com",)"
      R"(scope="repository:library/alpine:pull")");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "bearer");
  EXPECT_EQ(challenges[0].param("realm"), "https://auth.example.com/token");
  EXPECT_EQ(challenges[0].param("service"), "registry.example.com");
  EXPECT_EQ(challenges[0].param("scope"), "repository:library/alpine:pull");
  EXPECT_EQ(challenges[0].param("error"), "");
}

TEST(WwwAuthenticate, ParsesBasic) {
  auto challenges = parse_www_authenticate(R"(Basic realm="Registry Realm")");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "basic");
  EXPECT_EQ(challenges[0].param("realm"), "Registry Realm");
}

TEST(WwwAuthenticate, SchemesAndParamNamesAreCaseInsensitive) {
  auto challenges = parse_www_authenticate(R"(BEARER Realm="r", SERVICE=s)");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "bearer");
  EXPECT_EQ(challenges[0].param("realm"), "r");
  EXPECT_EQ(challenges[0].param("Service"), "s");
}

TEST(WwwAuthenticate, ParsesSeveralChallengesInOneField) {
  auto challenges = parse_www_authenticate(
      R"(Basic realm="simple", Bearer realm="https://t/token", service="svc", Negotiate)");
  ASSERT_EQ(challenges.size(), 3u);
  EXPECT_EQ(challenges[0].scheme, "basic");
  EXPECT_EQ(challenges[0].param("realm"), "simple");
  EXPECT_EQ(challenges[1].scheme, "bearer");
  EXPECT_EQ(challenges[1].param("realm"), "https://t/token");
  EXPECT_EQ(challenges[1].param("service"), "svc");
  EXPECT_EQ(challenges[2].scheme, "negotiate");
}

TEST(WwwAuthenticate, ParsesChallengesOfSeveralFields) {
  auto challenges =
      parse_www_authenticate(std::vector<std::string>{R"(Basic realm="a")", R"(Bearer realm="b")"});
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[1].param("realm"), "b");
}

TEST(WwwAuthenticate, UnescapesQuotedStrings) {
  auto challenges = parse_www_authenticate(R"(Bearer realm="a \"quoted\" \\ realm",x="a,b")");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].param("realm"), R"(a "quoted" \ realm)");
  EXPECT_EQ(challenges[0].param("x"), "a,b");
}

TEST(WwwAuthenticate, ReadsInsufficientScopeErrors) {
  auto challenges = parse_www_authenticate(
      R"(Bearer realm="https://t",service="s",scope="repository:a:pull,push",)"
      R"(error="insufficient_scope")");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].param("scope"), "repository:a:pull,push");
  EXPECT_EQ(challenges[0].param("error"), "insufficient_scope");
}

TEST(WwwAuthenticate, ReadsToken68) {
  auto challenges = parse_www_authenticate("Negotiate YWJjZA==, Basic realm=x");
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0].token68, "YWJjZA==");
  EXPECT_EQ(challenges[1].param("realm"), "x");
}

TEST(WwwAuthenticate, KeepsWhatWasReadBeforeMalformedText) {
  auto challenges = parse_www_authenticate(R"(Bearer realm="ok", service="unterminated)");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].param("realm"), "ok");
  EXPECT_TRUE(parse_www_authenticate("").empty());
  EXPECT_TRUE(parse_www_authenticate(" , ,").empty());
  EXPECT_TRUE(parse_www_authenticate("=oops").empty());
}

TEST(Base64, RoundTripsAndRejectsMalformedText) {
  for (const std::string& text :
       std::vector<std::string>{"", "a", "ab", "abc", "user:pass", std::string("\0\xff:x", 4)}) {
    EXPECT_EQ(base64_decode(base64_encode(text)), text);
  }
  EXPECT_EQ(base64_encode("user:pass"), "dXNlcjpwYXNz");
  EXPECT_EQ(base64_decode("dXNlcjpwYXNz"), "user:pass");
  EXPECT_FALSE(base64_decode("dXNlcjpwYXN"));  // length
  EXPECT_FALSE(base64_decode("dXNl*jpw"));     // alphabet
  EXPECT_FALSE(base64_decode("dX==cjpw"));     // padding inside
  EXPECT_FALSE(base64_decode("d==="));         // too much padding
}

TEST(Credentials, FormatsBasicAuthorizationAndScopes) {
  EXPECT_EQ(basic_authorization(Credentials{"user", "pass"}), "Basic dXNlcjpwYXNz");
  EXPECT_EQ(repository_scope("library/alpine", "pull,push"), "repository:library/alpine:pull,push");
}

TEST(TokenResponse, AcceptsTokenOrAccessToken) {
  auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(parse_token_response(R"({"token":"abc"})", now).token, "abc");
  EXPECT_EQ(parse_token_response(R"({"access_token":"xyz","expires_in":300})", now).token, "xyz");
  EXPECT_EQ(parse_token_response(R"({"token":"","access_token":"xyz"})", now).token, "xyz");
}

TEST(TokenResponse, ExpiresAfterAtLeastSixtySeconds) {
  auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(parse_token_response(R"({"token":"a"})", now).expires, now + std::chrono::seconds(60));
  EXPECT_EQ(parse_token_response(R"({"token":"a","expires_in":5})", now).expires,
            now + std::chrono::seconds(60));
  EXPECT_EQ(parse_token_response(
                R"({"token":"a","expires_in":3600,"issued_at":"2001-01-01T00:00:00Z"})", now)
                .expires,
            now + std::chrono::seconds(3600));
}

TEST(TokenResponse, RefusesAnswersWithoutToken) {
  auto now = std::chrono::steady_clock::now();
  EXPECT_NE(error_of(ErrorKind::kAuth, [&] { parse_token_response("{}", now); }).find("no token"),
            std::string::npos);
  error_of(ErrorKind::kAuth, [&] { parse_token_response("not json", now); });
  error_of(ErrorKind::kAuth, [&] { parse_token_response(R"({"token":5})", now); });
}

}  // namespace
}  // namespace schicht::registry
