// RegistryClient's bearer-token flow and response checks against a scripted registry and token
// server (the real docker-registry needs a separate token service for bearer auth).
#include <gtest/gtest.h>

#include <mutex>

#include "core/media_type.h"
#include "http/fake_http_server.h"
#include "registry/registry_client.h"
#include "test_support.h"

namespace schicht::registry {
namespace {

using http::testing::FakeHttpServer;
using http::testing::FakeRequest;
using http::testing::http_response;
using testing::error_of;

const std::string kManifest =
    R"({"schemaVersion":2,"mediaType":")" + std::string(media_type::kOciManifest) + R"("})";

RegistryOptions fake_options() {
  RegistryOptions options;
  options.insecure = true;
  options.auth_file = temp_root() / "schicht-test-no-such-auth.json";
  options.http.initial_backoff = std::chrono::milliseconds(1);
  return options;
}

// A registry that wants bearer tokens from its own /token endpoint. Tokens are "T1", "T2", ...;
// only the newest one is accepted, and revoke() makes the next one necessary.
class TokenRegistry {
 public:
  TokenRegistry() : server_([this](const FakeRequest& r) { return handle(r); }) {}

  std::string host() const { return server_.host(); }
  size_t token_requests() const { return server_.count("/token"); }
  FakeRequest last_token_request() const {
    FakeRequest last;
    for (const FakeRequest& r : server_.requests()) {
      if (r.target.starts_with("/token")) last = r;
    }
    return last;
  }
  void revoke() {
    std::lock_guard lock(mutex_);
    valid_.clear();
  }
  // Credentials the token server insists on; empty: anonymous tokens.
  void require(std::string authorization) {
    std::lock_guard lock(mutex_);
    required_ = std::move(authorization);
  }
  // Headers the manifest response carries beyond Content-Type.
  void set_manifest(std::string body, std::vector<std::string> headers) {
    std::lock_guard lock(mutex_);
    manifest_ = std::move(body);
    manifest_headers_ = std::move(headers);
  }

 private:
  std::string challenge() const {
    return fmt::format(R"(WWW-Authenticate: Bearer realm="{}",service="fake-registry")",
                       server_.url("/token"));
  }

  std::string handle(const FakeRequest& r) {
    std::lock_guard lock(mutex_);
    if (r.target.starts_with("/token")) {
      if (!required_.empty() && r.header("authorization") != required_) {
        return http_response(401, {}, R"({"details":"bad credentials"})");
      }
      valid_ = fmt::format("T{}", ++issued_);
      return http_response(200, {"Content-Type: application/json"},
                           fmt::format(R"({{"access_token":"{}","expires_in":300}})", valid_));
    }
    if (valid_.empty() || r.header("authorization") != "Bearer " + valid_) {
      return http_response(401, {challenge()},
                           R"({"errors":[{"code":"UNAUTHORIZED","message":"token required"}]})");
    }
    if (r.target == "/v2/lib/app/manifests/v1") {
      std::vector<std::string> headers = manifest_headers_;
      headers.push_back(fmt::format("Content-Type: {}", media_type::kOciManifest));
      return http_response(200, headers, manifest_);
    }
    return http_response(404, {}, R"({"errors":[{"code":"NAME_UNKNOWN","message":"no"}]})");
  }

  mutable std::mutex mutex_;
  std::string valid_;
  int issued_ = 0;
  std::string required_;
  std::string manifest_ = kManifest;
  std::vector<std::string> manifest_headers_;
  FakeHttpServer server_;  // last: stopped before the state it uses goes
};

TEST(RegistryTokens, FetchesOneTokenPerScopeAndReusesIt) {
  TokenRegistry registry;
  registry.require(basic_authorization(Credentials{"bob", "pw"}));
  RegistryOptions options = fake_options();
  options.credentials = Credentials{"bob", "pw"};
  RegistryClient client(registry.host(), options);
  EXPECT_EQ(client.get_manifest("lib/app", "v1").bytes, kManifest);
  EXPECT_EQ(client.get_manifest("lib/app", "v1").bytes, kManifest);
  EXPECT_EQ(registry.token_requests(), 1u);
  std::string target = registry.last_token_request().target;
  EXPECT_NE(target.find("service=fake-registry"), std::string::npos) << target;
  EXPECT_NE(target.find("scope=repository%3Alib%2Fapp%3Apull"), std::string::npos) << target;
  EXPECT_NE(target.find("account=bob"), std::string::npos) << target;
}

TEST(RegistryTokens, FetchesAnonymousTokensWithoutCredentials) {
  TokenRegistry registry;
  RegistryClient client(registry.host(), fake_options());
  EXPECT_EQ(client.get_manifest("lib/app", "v1").bytes, kManifest);
  EXPECT_EQ(registry.last_token_request().header("authorization"), "");
}

TEST(RegistryTokens, RenewsARefusedToken) {
  TokenRegistry registry;
  RegistryClient client(registry.host(), fake_options());
  client.get_manifest("lib/app", "v1");
  registry.revoke();
  EXPECT_EQ(client.get_manifest("lib/app", "v1").bytes, kManifest);
  EXPECT_EQ(registry.token_requests(), 2u);
}

TEST(RegistryTokens, WrongCredentialsAreAuthErrors) {
  TokenRegistry registry;
  registry.require(basic_authorization(Credentials{"bob", "pw"}));
  RegistryOptions options = fake_options();
  options.credentials = Credentials{"bob", "wrong"};
  RegistryClient client(registry.host(), options);
  std::string message = error_of(ErrorKind::kAuth, [&] { client.get_manifest("lib/app", "v1"); });
  EXPECT_NE(message.find("invalid username/password"), std::string::npos) << message;
}

TEST(RegistryTokens, PushScopesAskForPullAndPush) {
  TokenRegistry registry;
  RegistryClient client(registry.host(), fake_options());
  error_of(ErrorKind::kNotFound, [&] { client.start_upload("lib/app"); });
  std::string target = registry.last_token_request().target;
  EXPECT_NE(target.find("scope=repository%3Alib%2Fapp%3Apull%2Cpush"), std::string::npos) << target;
}

TEST(RegistryManifests, RefusesDigestAndMediaTypeMismatches) {
  TokenRegistry registry;
  RegistryClient client(registry.host(), fake_options());
  registry.set_manifest(kManifest, {"Docker-Content-Digest: " + Digest::sha256_of("x").str()});
  std::string message =
      error_of(ErrorKind::kIntegrity, [&] { client.get_manifest("lib/app", "v1"); });
  EXPECT_NE(message.find("Docker-Content-Digest"), std::string::npos) << message;

  std::string index =
      R"({"schemaVersion":2,"mediaType":")" + std::string(media_type::kOciIndex) + R"("})";
  registry.set_manifest(index, {});
  message = error_of(ErrorKind::kInvalidInput, [&] { client.get_manifest("lib/app", "v1"); });
  EXPECT_NE(message.find("does not match its Content-Type"), std::string::npos) << message;

  registry.set_manifest(kManifest,
                        {"Docker-Content-Digest: " + Digest::sha256_of(kManifest).str()});
  EXPECT_EQ(client.get_manifest("lib/app", "v1").digest, Digest::sha256_of(kManifest));
}

TEST(RegistryLinks, FollowsLinkPagination) {
  FakeHttpServer server([](const FakeRequest& r) {
    auto page = [](std::string tags, std::string link) {
      std::vector<std::string> headers = {"Content-Type: application/json"};
      if (!link.empty()) headers.push_back("Link: " + link);
      return http_response(200, headers, R"({"name":"lib/app","tags":)" + tags + "}");
    };
    if (r.target == "/v2/") return http_response(200);
    if (r.target == "/v2/lib/app/tags/list?n=2") {
      return page(R"(["a","b"])", R"(</v2/lib/app/tags/list?n=2&last=b>; rel="next")");
    }
    if (r.target == "/v2/lib/app/tags/list?n=2&last=b") {
      return page(R"(["c","d"])", R"(<list?n=2&last=d>; rel="next")");  // relative
    }
    if (r.target == "/v2/lib/app/tags/list?n=2&last=d") return page(R"(["e"])", "");
    if (r.target == "/v2/lib/loop/tags/list") {
      return page(R"(["x"])", R"(</v2/lib/loop/tags/list>; rel="next")");
    }
    if (r.target == "/v2/lib/empty/tags/list") return page("null", "");
    return http_response(404);
  });
  RegistryClient client(server.host(), fake_options());
  EXPECT_EQ(client.list_tags("lib/app", 2), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_TRUE(client.list_tags("lib/empty").empty());
  std::string message = error_of(ErrorKind::kNetwork, [&] { client.list_tags("lib/loop"); });
  EXPECT_NE(message.find("pagination returns"), std::string::npos) << message;
}

TEST(RegistryLinks, AnEndlessLinkChainIsBounded) {
  // Every page names a new next page: no URL repeats, so only the bounds end the chain.
  FakeHttpServer server([](const FakeRequest& r) {
    if (r.target == "/v2/") return http_response(200);
    auto page = [&](std::string_view repo, size_t tags_per_page) {
      size_t at = r.target.find("page=");
      long n = at == std::string::npos ? 0 : std::stol(r.target.substr(at + 5));
      std::string tags;
      for (size_t i = 0; i < tags_per_page; ++i) {
        tags += fmt::format("{}\"t{}-{}\"", i == 0 ? "" : ",", n, i);
      }
      return http_response(
          200,
          {"Content-Type: application/json",
           fmt::format(R"(Link: </v2/lib/{}/tags/list?page={}>; rel="next")", repo, n + 1)},
          "{\"tags\":[" + tags + "]}");
    };
    if (r.target.starts_with("/v2/lib/pages/")) return page("pages", 1);
    if (r.target.starts_with("/v2/lib/tags/")) return page("tags", 5000);
    return http_response(404);
  });
  RegistryClient client(server.host(), fake_options());
  std::string message = error_of(ErrorKind::kNetwork, [&] { client.list_tags("lib/pages"); });
  EXPECT_NE(message.find("more than 1000 pages (the registry's Link chain does not end)"),
            std::string::npos)
      << message;
  EXPECT_EQ(server.count("/v2/lib/pages/"), 1000u);
  message = error_of(ErrorKind::kNetwork, [&] { client.list_tags("lib/tags"); });
  EXPECT_NE(message.find("more than 100000 tags"), std::string::npos) << message;
  EXPECT_EQ(server.count("/v2/lib/tags/"), 21u);
}

TEST(RegistryLinks, FindsTheNextLink) {
  EXPECT_EQ(next_link({R"(</v2/a/tags/list?n=2&last=b>; rel="next")"}),
            "/v2/a/tags/list?n=2&last=b");
  EXPECT_EQ(next_link({R"(<https://r/prev>; rel="prev", <https://r/next>; rel=next)"}),
            "https://r/next");
  EXPECT_EQ(next_link({R"(<https://r/x>; rel="next last")"}), "https://r/x");
  EXPECT_EQ(next_link({R"(<https://r/prev>; rel="prev")"}), "");
  EXPECT_EQ(next_link({}), "");
}

}  // namespace
}  // namespace schicht::registry
