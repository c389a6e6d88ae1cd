// Helpers shared by the store unit tests: a store in a fresh temp dir, and images whose blobs
// (config, manifest, layers) are real files in its blob store.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/digest.h"
#include "core/error.h"
#include "core/fs.h"
#include "error_of.h"
#include "store/store.h"

namespace schicht::store::test {

inline constexpr char kManifestType[] = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kLayerType[] = "application/vnd.oci.image.layer.v1.tar+gzip";

// A store rooted in a temp dir that is removed with it.
class StoreTest : public ::testing::Test {
 protected:
  StoreTest() : dir_(temp_root(), "schicht-store-test"), store_(dir_.path() / "root") {}

  // Stores `content` as a (pretend-compressed) layer blob.
  LayerInfo put_layer(const std::string& content) {
    Digest digest = store_.blobs().put(content, std::nullopt, "layer");
    return LayerInfo{digest, content.size(), kLayerType,
                     Digest::sha256_of("uncompressed " + content), content.size() * 3};
  }

  // Stores a config made from `seed`, a manifest naming it and the layers, and returns the
  // image as a transport would hand it over. Nothing is recorded in the database yet.
  NewImage make_image(const std::string& seed, const std::vector<LayerInfo>& layers,
                      const std::string& manifest_extra = "") {
    std::string config = R"({"architecture":"amd64","os":"linux","seed":")" + seed + R"("})";
    Digest id = store_.blobs().put(config, std::nullopt, "config");
    std::string manifest = R"({"schemaVersion":2,"config":")" + id.str() + R"(","layers":[)";
    for (const auto& layer : layers) manifest += "\"" + layer.digest.str() + "\",";
    manifest += "]" + manifest_extra + "}";
    NewImage image{.id = id,
                   .config_size = config.size(),
                   .manifest_digest = store_.blobs().put(manifest, std::nullopt, "manifest"),
                   .manifest_media_type = kManifestType,
                   .manifest_size = manifest.size(),
                   .created = 1'700'000'000'000'000'000,
                   .os = "linux",
                   .architecture = "amd64",
                   .variant = "",
                   .labels_json = "{}",
                   .layers = layers};
    return image;
  }

  // make_image and add_image in one.
  NewImage add(const std::string& seed, const std::vector<LayerInfo>& layers,
               const std::vector<std::string>& names = {}) {
    NewImage image = make_image(seed, layers);
    store_.add_image(image, names, "pull");
    return image;
  }

  TempDir dir_;
  Store store_;
};

}  // namespace schicht::store::test
