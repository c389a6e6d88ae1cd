#include "store/lookup.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/error.h"
#include "store_test_util.h"

namespace schicht::store::test {
namespace {

class LookupTest : public StoreTest {
 protected:
  LookupTest()
      : app_(add("app", {put_layer("app layer")}, {"localhost/app:latest", "localhost/app:2"})),
        busybox_(
            add("busybox", {put_layer("busybox layer")}, {"docker.io/library/busybox:latest"})),
        tool_(add("tool", {put_layer("tool layer")}, {"quay.io/foo/tool:1.0"})) {}

  std::optional<Digest> find(std::string_view text) { return find_image(store_, text); }

  NewImage app_, busybox_, tool_;
};

TEST_F(LookupTest, ByFullId) {
  EXPECT_EQ(find(app_.id.hex()), app_.id);
  EXPECT_EQ(find(app_.id.str()), app_.id);
  EXPECT_EQ(find(busybox_.id.str()), busybox_.id);
  EXPECT_EQ(find(tool_.id.hex()), tool_.id);
}

TEST_F(LookupTest, ByShortId) {
  EXPECT_EQ(find(app_.id.short_hex()), app_.id);
  EXPECT_EQ(find("sha256:" + app_.id.short_hex()), app_.id);
  EXPECT_EQ(find(busybox_.id.short_hex()), busybox_.id);
  EXPECT_EQ(find(std::string(tool_.id.hex().substr(0, 5))), tool_.id);
}

TEST_F(LookupTest, AnAmbiguousPrefixIsAConflict) {
  // Search for a config whose ID shares its first two hex digits with app's.
  std::string prefix(app_.id.hex().substr(0, 2));
  std::string seed;
  for (int i = 0; i < 100000; ++i) {
    std::string candidate = "twin-" + std::to_string(i);
    std::string config = R"({"architecture":"amd64","os":"linux","seed":")" + candidate + R"("})";
    if (Digest::sha256_of(config).hex().substr(0, 2) == prefix) {
      seed = candidate;
      break;
    }
  }
  ASSERT_FALSE(seed.empty());
  NewImage twin = add(seed, {}, {"localhost/twin:latest"});
  ASSERT_EQ(twin.id.hex().substr(0, 2), prefix);
  ASSERT_NE(twin.id, app_.id);

  std::string message = error_of(ErrorKind::kConflict, [&] { find(prefix); });
  EXPECT_NE(message.find("ambiguous"), std::string::npos) << message;
  error_of(ErrorKind::kConflict, [&] { find(prefix.substr(0, 1)); });
  error_of(ErrorKind::kConflict, [&] { find("sha256:" + prefix); });
  error_of(ErrorKind::kConflict, [&] { resolve_image(store_, prefix); });
  // Longer prefixes tell them apart again.
  EXPECT_EQ(find(app_.id.short_hex()), app_.id);
  EXPECT_EQ(find(twin.id.short_hex()), twin.id);
}

TEST_F(LookupTest, ByName) {
  EXPECT_EQ(find("localhost/app:latest"), app_.id);
  EXPECT_EQ(find("localhost/app"), app_.id);  // ":latest" by default
  EXPECT_EQ(find("localhost/app:2"), app_.id);
  EXPECT_EQ(find("docker.io/library/busybox:latest"), busybox_.id);
  EXPECT_EQ(find("docker.io/library/busybox"), busybox_.id);
  EXPECT_EQ(find("quay.io/foo/tool:1.0"), tool_.id);
  EXPECT_EQ(find("localhost/app:3"), std::nullopt);
  EXPECT_EQ(find("quay.io/foo/tool"), std::nullopt);  // no "latest" tag
}

TEST_F(LookupTest, ByShortName) {
  EXPECT_EQ(find("app"), app_.id);
  EXPECT_EQ(find("app:latest"), app_.id);
  EXPECT_EQ(find("app:2"), app_.id);
  EXPECT_EQ(find("busybox"), busybox_.id);
  EXPECT_EQ(find("busybox:latest"), busybox_.id);
  EXPECT_EQ(find("docker.io/busybox"), busybox_.id);
  EXPECT_EQ(find("library/busybox"), busybox_.id);
  EXPECT_EQ(find("foo/tool:1.0"), tool_.id);
  EXPECT_EQ(find("tool:1.0"), tool_.id);
  EXPECT_EQ(find("tool"), std::nullopt);  // no "latest" tag
  EXPECT_EQ(find("pp"), std::nullopt);    // a suffix must start at a path component
}

TEST_F(LookupTest, LocalhostWinsForAShortName) {
  NewImage remote = add("remote app", {}, {"quay.io/app:latest"});
  EXPECT_EQ(find("app"), app_.id);
  EXPECT_EQ(find("quay.io/app"), remote.id);
}

TEST_F(LookupTest, AHexLookingName) {
  NewImage cafe = add("cafe", {}, {"localhost/cafe:latest"});
  bool id_starts_with_cafe = false;
  for (const auto& image : store_.images()) {
    id_starts_with_cafe |= image.id.hex().substr(0, 4) == "cafe";
  }
  ASSERT_FALSE(id_starts_with_cafe);
  EXPECT_EQ(find("cafe"), cafe.id);
}

TEST_F(LookupTest, ByDigest) {
  std::string manifest = app_.manifest_digest.str();
  EXPECT_EQ(find(manifest), app_.id);
  EXPECT_EQ(find("localhost/app@" + manifest), app_.id);
  EXPECT_EQ(find("app@" + manifest), app_.id);
  EXPECT_EQ(find("docker.io/library/busybox@" + busybox_.manifest_digest.str()), busybox_.id);
  EXPECT_EQ(find("busybox@" + busybox_.manifest_digest.str()), busybox_.id);
  // An unknown manifest digest, with or without a name.
  std::string unknown = Digest::sha256_of("no manifest").str();
  EXPECT_EQ(find(unknown), std::nullopt);
  EXPECT_EQ(find("localhost/app@" + unknown), std::nullopt);
}

TEST_F(LookupTest, UnknownIsNullopt) {
  EXPECT_EQ(find(""), std::nullopt);
  EXPECT_EQ(find("nope"), std::nullopt);
  EXPECT_EQ(find("nope:latest"), std::nullopt);
  EXPECT_EQ(find("docker.io/library/nope"), std::nullopt);
  EXPECT_EQ(find("localhost/nope"), std::nullopt);
  EXPECT_EQ(find("sha256:"), std::nullopt);
  EXPECT_EQ(find("sha256:" + std::string(64, '0')), std::nullopt);
  EXPECT_EQ(find(std::string(64, '0')), std::nullopt);
  EXPECT_EQ(find("Invalid Reference!"), std::nullopt);
  EXPECT_EQ(find("UPPER"), std::nullopt);
}

TEST_F(LookupTest, ResolveImage) {
  EXPECT_EQ(resolve_image(store_, "app"), app_.id);
  EXPECT_EQ(resolve_image(store_, busybox_.id.short_hex()), busybox_.id);
  std::string message = error_of(ErrorKind::kNotFound, [&] { resolve_image(store_, "nope"); });
  EXPECT_EQ(message, "nope: image not known");
  message = error_of(ErrorKind::kNotFound, [&] { resolve_image(store_, "quay.io/x/y:1"); });
  EXPECT_EQ(message, "quay.io/x/y:1: image not known");
  // A name that breaks the grammar is that error, as in podman, not a missing image.
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { resolve_image(store_, "a b"); }),
            "invalid reference format");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { resolve_image(store_, "UPPER"); }),
            "repository name must be lowercase");
  EXPECT_EQ(error_of(ErrorKind::kNotFound, [&] { resolve_image(store_, "sha256:zz"); }),
            "sha256:zz: image not known");
}

TEST(LookupEmptyStoreTest, FindsNothing) {
  TempDir dir(temp_root(), "schicht-lookup-test");
  Store store(dir.path());
  EXPECT_EQ(find_image(store, "a"), std::nullopt);
  EXPECT_EQ(find_image(store, "busybox"), std::nullopt);
}

}  // namespace
}  // namespace schicht::store::test
