#include "serve/route.h"

#include <gtest/gtest.h>

namespace schicht::serve {
namespace {

const std::string kDigest =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(ParseRoute, Endpoints) {
  EXPECT_EQ(parse_route("/v2/").route->endpoint, Endpoint::kBase);
  EXPECT_EQ(parse_route("/v2").route->endpoint, Endpoint::kBase);
  EXPECT_EQ(parse_route("/v2/_catalog").route->endpoint, Endpoint::kCatalog);
  auto tags = parse_route("/v2/quay.io/org/app/tags/list").route;
  ASSERT_TRUE(tags);
  EXPECT_EQ(tags->endpoint, Endpoint::kTags);
  EXPECT_EQ(tags->name, "quay.io/org/app");
  auto m = parse_route("/v2/localhost:5000/app/manifests/1.0").route;
  ASSERT_TRUE(m);
  EXPECT_EQ(m->endpoint, Endpoint::kManifest);
  EXPECT_EQ(m->name, "localhost:5000/app");
  EXPECT_EQ(m->reference, "1.0");
  auto d = parse_route("/v2/app/manifests/" + kDigest).route;
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reference, kDigest);
  auto b = parse_route("/v2/a/b/blobs/" + kDigest).route;
  ASSERT_TRUE(b);
  EXPECT_EQ(b->endpoint, Endpoint::kBlob);
  EXPECT_EQ(b->name, "a/b");
  EXPECT_EQ(parse_route("/v2/a/blobs/uploads/").route->endpoint, Endpoint::kUpload);
  EXPECT_EQ(parse_route("/v2/a/blobs/uploads/x").route->endpoint, Endpoint::kUpload);
  EXPECT_EQ(parse_route("/v2/a/referrers/" + kDigest).route->endpoint, Endpoint::kReferrers);
  // A repository may be called "manifests": the last marker splits.
  auto odd = parse_route("/v2/manifests/manifests/latest").route;
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->name, "manifests");
}

TEST(ParseRoute, RefusesTraversalAndMalformedNames) {
  for (const std::string& path :
       std::vector<std::string>{"/v2/../../etc/passwd/manifests/1", "/v2/a/../b/manifests/1",
                                "/v2/./a/manifests/1", "/v2//a/manifests/1", "/v2/A/manifests/1",
                                "/v2/a//b/blobs/" + kDigest, "/v2/a/b/manifests/1/../x"}) {
    RouteResult r = parse_route(path);
    EXPECT_FALSE(r.route) << path;
  }
  EXPECT_EQ(parse_route("/v2/../x/manifests/1").error, RouteError::kNameInvalid);
  EXPECT_EQ(parse_route("/v2/a/blobs/sha256:../../x").error, RouteError::kDigestInvalid);
  EXPECT_EQ(parse_route("/v2/a/blobs/../../db.sqlite").error, RouteError::kDigestInvalid);
  EXPECT_EQ(parse_route("/v2/a/manifests/..").error, RouteError::kTagInvalid);
  EXPECT_EQ(parse_route("/etc/passwd").error, RouteError::kNotFound);
  EXPECT_EQ(parse_route("/v2/a/nothing").error, RouteError::kNotFound);
  EXPECT_FALSE(parse_route("/v2/a/tags/list/x").route);
}

TEST(ValidRepository, HostOnlyFirst) {
  EXPECT_TRUE(valid_repository("quay.io/org/app"));
  EXPECT_TRUE(valid_repository("Registry.Example:443/a"));
  EXPECT_TRUE(valid_repository("a__b/c-d/e.f"));
  EXPECT_FALSE(valid_repository("Registry.Example"));  // a lone host is no repository
  EXPECT_FALSE(valid_repository("a/Upper"));
  EXPECT_FALSE(valid_repository("a/b:1"));
  EXPECT_FALSE(valid_repository("-a"));
  EXPECT_FALSE(valid_repository(""));
}

TEST(SplitStoredName, TagsAndDigests) {
  auto t = split_stored_name("localhost:5000/a/b:1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->repository, "localhost:5000/a/b");
  EXPECT_EQ(t->reference, "1");
  EXPECT_FALSE(t->by_digest);
  auto d = split_stored_name("quay.io/a@" + kDigest);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->repository, "quay.io/a");
  EXPECT_TRUE(d->by_digest);
  EXPECT_FALSE(split_stored_name("localhost:5000/a"));
}

TEST(CandidateRepositories, MirrorPrefixes) {
  EXPECT_EQ(candidate_repositories("org/app", {}), std::vector<std::string>{"org/app"});
  EXPECT_EQ(candidate_repositories("org/app", {"example.test", "quay.io"}),
            (std::vector<std::string>{"org/app", "example.test/org/app", "quay.io/org/app"}));
  EXPECT_EQ(candidate_repositories("alpine", {"docker.io"}),
            (std::vector<std::string>{"alpine", "docker.io/library/alpine"}));
}

TEST(Allowed, ShellPatterns) {
  EXPECT_TRUE(allowed("quay.io/a/b", {}));
  EXPECT_TRUE(allowed("quay.io/a/b", {"quay.io/*"}));
  EXPECT_FALSE(allowed("docker.io/a", {"quay.io/*"}));
  EXPECT_TRUE(allowed("localhost/app", {"x", "localhost/ap?"}));
}

TEST(ParseRange, Forms) {
  auto r = parse_range("bytes=0-9", 100);
  EXPECT_EQ(r.kind, RangeKind::kPartial);
  EXPECT_EQ(r.range.first, 0u);
  EXPECT_EQ(r.range.length, 10u);
  r = parse_range("bytes=90-", 100);
  EXPECT_EQ(r.range.first, 90u);
  EXPECT_EQ(r.range.length, 10u);
  r = parse_range("bytes=-5", 100);
  EXPECT_EQ(r.range.first, 95u);
  EXPECT_EQ(r.range.length, 5u);
  r = parse_range("bytes=50-1000", 100);
  EXPECT_EQ(r.range.length, 50u);
  EXPECT_EQ(parse_range("bytes=100-", 100).kind, RangeKind::kUnsatisfiable);
  EXPECT_EQ(parse_range("bytes=200-300", 100).kind, RangeKind::kUnsatisfiable);
  EXPECT_EQ(parse_range("bytes=-0", 100).kind, RangeKind::kUnsatisfiable);
  EXPECT_EQ(parse_range("", 100).kind, RangeKind::kWhole);
  EXPECT_EQ(parse_range("bytes=0-1,5-6", 100).kind, RangeKind::kWhole);
  EXPECT_EQ(parse_range("bytes=5-1", 100).kind, RangeKind::kWhole);
  EXPECT_EQ(parse_range("items=0-1", 100).kind, RangeKind::kWhole);
  EXPECT_EQ(parse_range("bytes=x-1", 100).kind, RangeKind::kWhole);
}

TEST(ParseListen, Forms) {
  auto a = parse_listen("0.0.0.0:5000");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "0.0.0.0");
  EXPECT_EQ(a->port, 5000);
  auto v6 = parse_listen("[::1]:8080");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  auto bare = parse_listen("5001");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->host, "127.0.0.1");
  EXPECT_EQ(parse_listen(":5002")->host, "127.0.0.1");
  EXPECT_FALSE(parse_listen("host:"));
  EXPECT_FALSE(parse_listen("host:70000"));
  EXPECT_FALSE(parse_listen("::1:80"));
  EXPECT_FALSE(parse_listen("[::1]80"));
}

TEST(Paginate, AfterLastAtMostN) {
  std::vector<std::string> all{"a", "b", "c", "d"};
  Page p = paginate(all, 2, "");
  EXPECT_EQ(p.entries, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(p.more);
  p = paginate(all, 2, "b");
  EXPECT_EQ(p.entries, (std::vector<std::string>{"c", "d"}));
  EXPECT_FALSE(p.more);
  p = paginate(all, std::nullopt, "bb");
  EXPECT_EQ(p.entries, (std::vector<std::string>{"c", "d"}));
  EXPECT_TRUE(paginate(all, 0, "").entries.empty());
}

}  // namespace
}  // namespace schicht::serve
