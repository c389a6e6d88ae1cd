// Decompression of a ~16 MiB layer: gzip through schicht's reader (ISA-L igzip) beside plain
// zlib inflate on the same bytes, and zstd. Rates are of decompressed bytes.
#include <zlib.h>

#include <vector>

#include "core/io.h"
#include "inputs.h"

namespace schicht::bench {
namespace {

constexpr size_t kBuffer = 1 << 20;

void drain(Reader& reader, std::vector<char>& buffer) {
  while (reader.read(buffer.data(), buffer.size()) > 0) {
  }
}

void BM_GzipInflateIsal(benchmark::State& state) {
  const std::string& gz = compressed_layer(Compression::kGzip);
  std::vector<char> buffer(kBuffer);
  for (auto _ : state) {
    StringReader raw(gz);
    drain(*decompress(raw), buffer);
  }
  report_rate(state, layer_tar().size());
  state.counters["ratio"] =
      static_cast<double>(layer_tar().size()) / static_cast<double>(gz.size());
}
BENCHMARK(BM_GzipInflateIsal)->Unit(benchmark::kMillisecond);

void BM_GzipInflateZlib(benchmark::State& state) {
  const std::string& gz = compressed_layer(Compression::kGzip);
  std::vector<unsigned char> buffer(kBuffer);
  for (auto _ : state) {
    z_stream stream{};
    if (inflateInit2(&stream, 15 + 16) != Z_OK) state.SkipWithError("inflateInit2");
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
    stream.avail_in = static_cast<uInt>(gz.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
      stream.next_out = buffer.data();
      stream.avail_out = static_cast<uInt>(buffer.size());
      rc = inflate(&stream, Z_NO_FLUSH);
    }
    if (rc != Z_STREAM_END) state.SkipWithError("inflate");
    inflateEnd(&stream);
  }
  report_rate(state, layer_tar().size());
}
BENCHMARK(BM_GzipInflateZlib)->Unit(benchmark::kMillisecond);

void BM_ZstdDecompress(benchmark::State& state) {
  const std::string& zst = compressed_layer(Compression::kZstd);
  std::vector<char> buffer(kBuffer);
  for (auto _ : state) {
    StringReader raw(zst);
    drain(*decompress(raw), buffer);
  }
  report_rate(state, layer_tar().size());
  state.counters["ratio"] =
      static_cast<double>(layer_tar().size()) / static_cast<double>(zst.size());
}
BENCHMARK(BM_ZstdDecompress)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace schicht::bench
