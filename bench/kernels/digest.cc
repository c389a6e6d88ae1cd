// sha256 throughput of schicht's Hasher (OpenSSL EVP: SHA-NI where the CPU has it), fed in the
// 1 MiB chunks a pull's streaming pass hands it.
#include <algorithm>

#include "core/digest.h"
#include "inputs.h"

namespace schicht::bench {
namespace {

void BM_Sha256(benchmark::State& state) {
  const std::string& data = layer_tar();
  const size_t chunk = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    Hasher hasher;
    for (size_t pos = 0; pos < data.size(); pos += chunk) {
      hasher.update(data.data() + pos, std::min(chunk, data.size() - pos));
    }
    benchmark::DoNotOptimize(hasher.finish());
  }
  report_rate(state, data.size());
}
BENCHMARK(BM_Sha256)->Arg(64 * 1024)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace schicht::bench
