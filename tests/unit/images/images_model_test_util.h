// Helpers for the image model tests (inspect, history, analyze, tree, diff): images whose config
// is written out in full, and layer tars built in memory.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "archive/tar_writer.h"
#include "core/io.h"
#include "snapshot/snapshotter.h"
#include "store/store_test_util.h"

namespace schicht::images::test {

// An uncompressed layer tar of `files` (path, content); a path ending in '/' is a directory.
inline std::string layer_tar(const std::vector<std::pair<std::string, std::string>>& files) {
  StringWriter out;
  TarWriter tar(out);
  for (const auto& [path, data] : files) {
    if (path.ends_with('/')) {
      tar.add_directory(path.substr(0, path.size() - 1), 0755, 1700000000);
    } else {
      tar.add_file(path, data, 0644, 1700000000);
    }
  }
  tar.finish();
  return out.str();
}

// Layer sources reading the tars from memory, each named by the digest of its content.
inline std::vector<snapshot::LayerSource> sources_of(const std::vector<std::string>& tars) {
  std::vector<snapshot::LayerSource> out;
  for (const auto& tar : tars) {
    auto data = std::make_shared<std::string>(tar);
    out.push_back(snapshot::LayerSource{
        Digest::sha256_of(tar),
        [data]() -> std::unique_ptr<Reader> { return std::make_unique<StringReader>(*data); },
        tar.size()});
  }
  return out;
}

class ModelTest : public store::test::StoreTest {
 protected:
  // Records an image whose config is `config` (layers as the store test helper makes them).
  store::NewImage add_with_config(const std::string& config,
                                  const std::vector<store::LayerInfo>& layers,
                                  const std::vector<std::string>& names) {
    store::NewImage image = make_image("unused", layers);
    image.id = store_.blobs().put(config, std::nullopt, "config");
    image.config_size = config.size();
    std::string manifest = R"({"schemaVersion":2,"mediaType":")" +
                           std::string(store::test::kManifestType) +
                           R"(","config":{"mediaType":"application/vnd.oci.image.config.v1+json",)"
                           R"("digest":")" +
                           image.id.str() + R"(","size":)" + std::to_string(config.size()) +
                           R"(},"layers":[],"annotations":{"org.example.note":"hello"}})";
    image.manifest_digest = store_.blobs().put(manifest, std::nullopt, "manifest");
    image.manifest_size = manifest.size();
    store_.add_image(image, names, "pull");
    return image;
  }
};

}  // namespace schicht::images::test
