// Artifacts in the store: what add builds, what GC keeps and frees, what refuses and changes
// nothing; referrer descriptors and the tag schema's tag.
#include <gtest/gtest.h>

#include "artifacts/local.h"
#include "artifacts/remote.h"
#include "core/media_type.h"
#include "store/artifacts.h"
#include "store/store_test_util.h"

namespace schicht::artifacts {
namespace {

using store::LayerInfo;
using store::NewImage;

class ArtifactsTest : public store::test::StoreTest {
 protected:
  fs::path file(const std::string& name, const std::string& content) {
    fs::path p = dir_.path() / name;
    write_file_atomic(p, content);
    return p;
  }
  size_t blob_count() {
    size_t n = 0;
    store_.blobs().walk([&](const Digest&, uint64_t) { ++n; });
    return n;
  }
};

TEST_F(ArtifactsTest, AddBuildsAnOci11ArtifactManifest) {
  AddOptions options{.artifact_type = "application/x-test",
                     .annotations = {{"k", "v"}},
                     .file_type = "text/plain"};
  Digest d = add_artifact(store_, "art", {file("a.txt", "hello")}, options);
  Artifact a = resolve_artifact(store_, "art");
  EXPECT_EQ(a.info.name, "localhost/art:latest");
  EXPECT_EQ(a.info.manifest, d);
  EXPECT_EQ(a.manifest.artifact_type, "application/x-test");
  EXPECT_EQ(a.manifest.config.media_type, media_type::kOciEmpty);
  EXPECT_EQ(a.manifest.config.size, 2);
  ASSERT_EQ(a.manifest.layers.size(), 1u);
  EXPECT_EQ(a.manifest.layers[0].media_type, "text/plain");
  EXPECT_EQ(a.manifest.layers[0].digest, Digest::sha256_of("hello"));
  EXPECT_EQ(a.manifest.layers[0].annotations.at(std::string(kTitleAnnotation)), "a.txt");
  EXPECT_EQ(a.manifest.layers[0].annotations.at("k"), "v");
  EXPECT_TRUE(a.manifest.annotations.contains(std::string(kCreatedAnnotation)));
  EXPECT_EQ(a.size(), 5u);
  // by digest prefix as well; images do not see it
  EXPECT_EQ(resolve_artifact(store_, d.hex().substr(0, 8)).info.name, "localhost/art:latest");
  EXPECT_TRUE(store_.images().empty());
}

TEST_F(ArtifactsTest, RefusalsChangeNothing) {
  add_artifact(store_, "art", {file("a.txt", "hello")}, {});
  size_t blobs = blob_count();
  error_of(ErrorKind::kConflict, [&] { add_artifact(store_, "art", {file("b", "x")}, {}); });
  error_of(ErrorKind::kInvalidInput, [&] {
    add_artifact(store_, "art", {file("b", "x")}, {.append = true, .replace = true});
  });
  error_of(ErrorKind::kInvalidInput, [&] {
    add_artifact(store_, "art", {file("b", "x")}, {.artifact_type = "t", .append = true});
  });
  error_of(ErrorKind::kInvalidInput,
           [&] { add_artifact(store_, "art", {file("a.txt", "again")}, {.append = true}); });
  error_of(ErrorKind::kNotFound,
           [&] { add_artifact(store_, "new", {dir_.path() / "missing"}, {}); });
  EXPECT_EQ(blob_count(), blobs);
  EXPECT_EQ(store::artifacts(store_).size(), 1u);
}

TEST_F(ArtifactsTest, BlobsStayWhileAnArtifactHoldsThemAndGoWithIt) {
  LayerInfo layer = put_layer("shared bytes");
  NewImage image = add("img", {layer}, {"localhost/img:1"});
  fs::path shared = file("shared", "shared bytes");
  add_artifact(store_, "one", {shared, file("own", "only mine")}, {});
  store_.remove_image(image.id);
  EXPECT_TRUE(store_.blobs().exists(layer.digest));  // the artifact holds it
  add_artifact(store_, "two", {shared}, {});
  EXPECT_TRUE(store::remove_artifact(store_, "localhost/one:latest"));
  EXPECT_FALSE(store_.blobs().exists(Digest::sha256_of("only mine")));
  EXPECT_TRUE(store_.blobs().exists(layer.digest));  // "two" still holds it
  EXPECT_TRUE(store::remove_artifact(store_, "localhost/two:latest"));
  EXPECT_EQ(blob_count(), 0u);
  EXPECT_FALSE(store::remove_artifact(store_, "localhost/two:latest"));
}

TEST_F(ArtifactsTest, AppendKeepsTypeAndReplaceFreesTheOld) {
  add_artifact(store_, "x", {file("a", "1")}, {.artifact_type = "t"});
  add_artifact(store_, "x", {file("b", "2")}, {.append = true});
  Artifact a = resolve_artifact(store_, "x");
  EXPECT_EQ(a.manifest.layers.size(), 2u);
  EXPECT_EQ(a.manifest.artifact_type, "t");
  add_artifact(store_, "x", {file("c", "3")}, {.replace = true});
  EXPECT_FALSE(store_.blobs().exists(Digest::sha256_of("1")));
  EXPECT_EQ(resolve_artifact(store_, "x").manifest.layers.size(), 1u);
}

TEST_F(ArtifactsTest, SubjectMakesAReferrer) {
  NewImage image = add("img", {put_layer("l")}, {"localhost/img:1"});
  Descriptor subject = local_image_descriptor(store_, "img:1");
  EXPECT_EQ(subject.digest, image.manifest_digest);
  Digest d = add_artifact(store_, "sig", {file("s", "sig")},
                          {.artifact_type = "application/x-sig", .subject = subject});
  auto refs = local_referrers(store_, image.manifest_digest);
  ASSERT_EQ(refs.size(), 1u);
  Descriptor r = referrer_descriptor(refs[0].manifest);
  EXPECT_EQ(r.digest, d);
  EXPECT_EQ(r.artifact_type, "application/x-sig");
  EXPECT_EQ(r.media_type, media_type::kOciManifest);
  EXPECT_TRUE(r.annotations.contains(std::string(kCreatedAnnotation)));
  Discovered found = discover_local(store_, "img:1");
  EXPECT_EQ(found.subject.digest, image.manifest_digest);
  ASSERT_EQ(found.referrers.size(), 1u);
  EXPECT_EQ(found.referrers[0].digest, d);
  EXPECT_EQ(referrers_tag(image.manifest_digest),
            "sha256-" + std::string(image.manifest_digest.hex()));
}

TEST_F(ArtifactsTest, ReferrerNameFollowsSubjectAndFiles) {
  NewImage image = add("img", {put_layer("l")}, {"localhost/img:1"});
  NewImage bare = add("bare", {put_layer("m")}, {});
  std::string hash = Digest::sha256_of("a\nb").short_hex();
  EXPECT_EQ(referrer_name(store_, "img:1", image.manifest_digest, {"a", "b"}),
            "localhost/img:ref-" + image.manifest_digest.short_hex() + "-" + hash);
  EXPECT_EQ(referrer_name(store_, bare.id.hex(), bare.manifest_digest, {"a", "b"}),
            "localhost/referrers:ref-" + bare.manifest_digest.short_hex() + "-" + hash);
}

}  // namespace
}  // namespace schicht::artifacts
