// The manifest commands' edits as use cases: what a list holds after each, what is refused,
// and that a refused edit leaves the list as it was.
#include "images/manifest_edit.h"

#include <gtest/gtest.h>

#include "core/media_type.h"
#include "error_of.h"
#include "images/list_lookup.h"
#include "images/manifest_list.h"
#include "store/store_test_util.h"

namespace schicht::images {
namespace {

class ManifestEditTest : public store::test::StoreTest {
 protected:
  Digest add_image(const std::string& seed, const std::string& name) {
    return add(seed, {put_layer("layer of " + seed)}, {name}).id;
  }

  ResolveAdditions local() {
    return [this](std::string_view text) { return local_additions(store_, text); };
  }

  std::vector<Digest> entries(const std::string& name) {
    std::vector<Digest> out;
    for (const Descriptor& d : read_list(store_, resolve_list(store_, name)).manifests) {
      out.push_back(d.digest);
    }
    return out;
  }

  Digest manifest_of(const Digest& id) { return store_.image(id)->manifest_digest; }
};

TEST_F(ManifestEditTest, CreateAddsEachImageOnceInOrder) {
  Digest a = add_image("a", "localhost/a:1"), b = add_image("b", "localhost/b:1");
  create_list(store_, "localhost/list:latest", false, {"localhost/b:1", "a:1", "b:1"}, local(),
              {"k=v"});
  EXPECT_EQ(entries("list"), (std::vector<Digest>{manifest_of(a), manifest_of(b)}));
  store::ListInfo list = resolve_list(store_, "list");
  EXPECT_EQ(list.format, media_type::kDockerManifestList);
  EXPECT_EQ(read_list(store_, list).annotations.at("k"), "v");
}

TEST_F(ManifestEditTest, CreateRefusesAnExistingNameUnlessAmending) {
  Digest a = add_image("a", "localhost/a:1"), b = add_image("b", "localhost/b:1");
  create_list(store_, "localhost/list:latest", false, {"a:1"}, local(), {});
  EXPECT_EQ(error_of(
                ErrorKind::kConflict,
                [&] {
                  create_list(store_, "localhost/list:latest", false, {}, local(), {});
                }).find("that name is already in use") != std::string::npos,
            true);
  create_list(store_, "localhost/list:latest", true, {"b:1"}, local(), {});
  EXPECT_EQ(entries("list"), (std::vector<Digest>{manifest_of(a), manifest_of(b)}));
}

TEST_F(ManifestEditTest, AMissingImageOrBadAnnotationWritesNothing) {
  add_image("a", "localhost/a:1");
  EXPECT_EQ(
      error_of(ErrorKind::kNotFound,
               [&] {
                 create_list(store_, "localhost/list:latest", false, {"a:1", "nope"}, local(), {});
               }),
      "nope: image not known");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput,
                     [&] {
                       create_list(store_, "localhost/list:latest", false, {"a:1"}, local(),
                                   {"novalue"});
                     }),
            "no value given for annotation \"novalue\"");
  EXPECT_FALSE(find_list(store_, "list"));
}

TEST_F(ManifestEditTest, AddAnnotateAndRemoveAnEntry) {
  Digest a = add_image("a", "localhost/a:1"), b = add_image("b", "localhost/b:1");
  create_list(store_, "localhost/list:latest", false, {"a:1"}, local(), {});
  add_entries(store_, resolve_list(store_, "list"), "b:1", local(),
              [](Descriptor& d) { d.platform->os = "plan9"; });
  EXPECT_EQ(entries("list"), (std::vector<Digest>{manifest_of(a), manifest_of(b)}));
  annotate_entry(store_, resolve_list(store_, "list"), manifest_of(a).str(),
                 [](Descriptor& d) { d.annotations["x"] = "y"; });
  Index index = read_list(store_, resolve_list(store_, "list"));
  EXPECT_EQ(index.manifests[0].annotations.at("x"), "y");
  EXPECT_EQ(index.manifests[1].platform->os, "plan9");
  remove_entry(store_, resolve_list(store_, "list"), manifest_of(a).str(), "list");
  EXPECT_EQ(entries("list"), std::vector<Digest>{manifest_of(b)});
}

TEST_F(ManifestEditTest, AnUnknownDigestIsRefused) {
  add_image("a", "localhost/a:1");
  create_list(store_, "localhost/list:latest", false, {"a:1"}, local(), {});
  store::ListInfo list = resolve_list(store_, "list");
  std::string other = Digest::sha256_of("other").str();
  EXPECT_NE(error_of(ErrorKind::kNotFound, [&] { remove_entry(store_, list, other, "list"); })
                .find("no instance matching digest"),
            std::string::npos);
  EXPECT_NE(error_of(ErrorKind::kNotFound,
                     [&] { annotate_entry(store_, list, other, [](Descriptor&) {}); })
                .find("no Docker manifest matching digest"),
            std::string::npos);
  EXPECT_EQ(resolve_list(store_, "list").digest, list.digest);
}

TEST_F(ManifestEditTest, ABuiltListIsPushedAsAnOciIndex) {
  add_image("a", "localhost/a:1");
  create_list(store_, "localhost/list:latest", false, {"a:1"}, local(), {});
  store::ListInfo list = resolve_list(store_, "list");
  EXPECT_EQ(list_to_push(store_, list, "").media_type, media_type::kOciIndex);
  ListToPush docker = list_to_push(store_, list, std::string(media_type::kDockerManifestList));
  EXPECT_NE(docker.bytes.find(media_type::kDockerManifestList), std::string::npos);
  EXPECT_EQ(docker.index.manifests.size(), 1u);
}

}  // namespace
}  // namespace schicht::images
