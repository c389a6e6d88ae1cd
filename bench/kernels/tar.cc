// Tar kernels on a ~16 MiB layer of 1,024 files: parsing it (headers and data through
// libarchive), the whole streaming pass a pull runs per layer (sha256 of the gzip blob, ISA-L
// inflate, sha256 of the tar, tar structure check), and applying it to a directory.
#include <vector>

#include "archive/layer.h"
#include "archive/tar_reader.h"
#include "core/fs.h"
#include "inputs.h"
#include "snapshot/apply.h"

namespace schicht::bench {
namespace {

void BM_TarRead(benchmark::State& state) {
  const std::string& tar = layer_tar();
  std::vector<char> buffer(1 << 20);
  for (auto _ : state) {
    StringReader raw(tar);
    TarReader reader(raw, "layer");
    TarEntry entry;
    while (reader.next(entry)) {
      while (reader.read(buffer.data(), buffer.size()) > 0) {
      }
    }
  }
  report_rate(state, tar.size());
}
BENCHMARK(BM_TarRead)->Unit(benchmark::kMillisecond);

// Rates are of compressed bytes, as the pull's rate in bench/pull is.
void BM_DigestLayerGzip(benchmark::State& state) {
  const std::string& gz = compressed_layer(Compression::kGzip);
  for (auto _ : state) {
    StringReader raw(gz);
    benchmark::DoNotOptimize(digest_layer(raw, nullptr));
  }
  report_rate(state, gz.size());
}
BENCHMARK(BM_DigestLayerGzip)->Unit(benchmark::kMillisecond);

// Writes the files for real (page cache; no fsync): a rate of tar bytes applied.
void BM_ApplyLayer(benchmark::State& state) {
  const std::string& tar = layer_tar();
  TempDir dir(temp_root(), "schicht-bench-apply");
  int round = 0;
  for (auto _ : state) {
    fs::path root = dir.path() / std::to_string(round++);
    fs::create_directory(root);
    StringReader raw(tar);
    benchmark::DoNotOptimize(snapshot::apply_layer(raw, root, {}));
    state.PauseTiming();
    fs::remove_all(root);
    state.ResumeTiming();
  }
  report_rate(state, tar.size());
}
BENCHMARK(BM_ApplyLayer)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace schicht::bench
