// Store::images() on a store of N one-layer images with two names each: the SQLite queries
// behind `schicht images` without the formatting (items/s = images listed per second).
#include <memory>

#include "core/fs.h"
#include "inputs.h"
#include "store/store.h"

namespace schicht::bench {
namespace {

struct FilledStore {
  TempDir dir{temp_root(), "schicht-bench-store"};
  store::Store store{dir.path() / "root"};

  explicit FilledStore(int images) {
    for (int i = 0; i < images; ++i) {
      std::string seed = std::to_string(i);
      std::string layer = "layer " + seed;
      Digest layer_digest = store.blobs().put(layer, std::nullopt, "layer");
      std::string config = R"({"architecture":"amd64","os":"linux","seed":")" + seed + R"("})";
      Digest id = store.blobs().put(config, std::nullopt, "config");
      std::string manifest = R"({"schemaVersion":2,"config":")" + id.str() + R"(","layers":[")" +
                             layer_digest.str() + R"("]})";
      store::NewImage image{
          .id = id,
          .config_size = config.size(),
          .manifest_digest = store.blobs().put(manifest, std::nullopt, "manifest"),
          .manifest_media_type = "application/vnd.oci.image.manifest.v1+json",
          .manifest_size = manifest.size(),
          .created = 1'700'000'000'000'000'000,
          .os = "linux",
          .architecture = "amd64",
          .layers = {store::LayerInfo{layer_digest, layer.size(),
                                      "application/vnd.oci.image.layer.v1.tar",
                                      Digest::sha256_of("tar " + layer), layer.size()}}};
      store.add_image(image,
                      {"localhost/bench/img" + seed + ":1", "localhost/bench/img" + seed + ":2"},
                      "pull");
    }
  }
};

void BM_StoreImages(benchmark::State& state) {
  const int images = static_cast<int>(state.range(0));
  FilledStore filled(images);
  for (auto _ : state) {
    benchmark::DoNotOptimize(filled.store.images());
  }
  state.SetItemsProcessed(state.iterations() * images);
}
BENCHMARK(BM_StoreImages)->Arg(20)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace schicht::bench
