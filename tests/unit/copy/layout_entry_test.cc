// Which index.json entry an OCI layout source takes: referrers save --referrers lists beside
// the image (entries with an artifactType) are never the "only image" of a layout.
#include <gtest/gtest.h>

#include "copy/oci_dir_image.h"
#include "core/media_type.h"
#include "error_of.h"

namespace schicht::copy {
namespace {

Descriptor entry(char fill, std::string artifact_type, std::string ref = "") {
  Descriptor d{.media_type = std::string(media_type::kOciManifest),
               .digest = Digest::sha256_of(std::string(1, fill)),
               .size = 1};
  d.artifact_type = std::move(artifact_type);
  if (!ref.empty()) d.annotations["org.opencontainers.image.ref.name"] = ref;
  return d;
}

Index index_of(const std::vector<Descriptor>& manifests) {
  return parse_index(serialize_oci_index(manifests, {}, MediaTypeField::kAbsent));
}

TEST(LayoutEntry, WithoutRefTheImageBesideItsReferrers) {
  Index index = index_of({entry('r', "application/spdx+json"), entry('i', "", "localhost/app:1"),
                          entry('s', "application/vnd.dev.sigstore.bundle.v0.3+json")});
  EXPECT_EQ(choose_layout_entry(index, "", "oci:x").digest, index.manifests[1].digest);
  EXPECT_EQ(choose_layout_entry(index, "localhost/app:1", "oci:x").digest,
            index.manifests[1].digest);
}

TEST(LayoutEntry, TwoImagesStillNeedARef) {
  Index index = index_of({entry('a', ""), entry('b', ""), entry('r', "application/spdx+json")});
  EXPECT_NE(error_of(ErrorKind::kInvalidInput, [&] { choose_layout_entry(index, "", "oci:x"); })
                .find("more than one image"),
            std::string::npos);
}

TEST(LayoutEntry, OnlyReferrersIsNoImage) {
  Index index = index_of({entry('r', "application/spdx+json")});
  EXPECT_NE(error_of(ErrorKind::kNotFound, [&] { choose_layout_entry(index, "", "oci:x"); })
                .find("no image"),
            std::string::npos);
}

}  // namespace
}  // namespace schicht::copy
