#include "inputs.h"

#include <map>
#include <random>

#include "archive/tar_writer.h"
#include "core/io.h"

namespace schicht::bench {
namespace {

constexpr int kFiles = 1024;
constexpr size_t kFileSize = 16 * 1024;

std::string file_content(int index, std::mt19937_64& random) {
  std::string data(kFileSize, '\0');
  if (index % 2 == 0) {
    // Text-like: words from a small vocabulary, as in configs, scripts and docs.
    static const char* const kWords[] = {"usr ",    "lib ", "share ", "config ", "int ",
                                         "return ", "the ", "value ", "error ",  "path\n"};
    size_t pos = 0;
    while (pos < data.size()) {
      std::string_view word = kWords[random() % 10];
      size_t n = std::min(word.size(), data.size() - pos);
      data.replace(pos, n, word.substr(0, n));
      pos += n;
    }
  } else {
    // Random bytes, as in compressed assets and binaries' dense parts.
    for (size_t i = 0; i < data.size(); i += 8) {
      uint64_t value = random();
      data.replace(i, 8, reinterpret_cast<const char*>(&value), 8);
    }
  }
  return data;
}

}  // namespace

const std::string& layer_tar() {
  static const std::string tar = [] {
    std::mt19937_64 random(42);
    StringWriter out;
    TarWriter writer(out);
    writer.add_directory("data");
    for (int i = 0; i < kFiles; ++i) {
      writer.add_file("data/file" + std::to_string(i), file_content(i, random));
    }
    writer.finish();
    return out.str();
  }();
  return tar;
}

const std::string& compressed_layer(Compression compression) {
  static std::map<Compression, std::string> cache;
  auto [it, inserted] = cache.try_emplace(compression);
  if (inserted) {
    StringWriter out;
    auto writer = compress(out, compression);
    writer->write(layer_tar().data(), layer_tar().size());
    writer->finish();
    it->second = out.str();
  }
  return it->second;
}

void report_rate(benchmark::State& state, uint64_t bytes) {
  state.counters["MB"] =
      benchmark::Counter(static_cast<double>(bytes) * static_cast<double>(state.iterations()) / 1e6,
                         benchmark::Counter::kIsRate);
}

}  // namespace schicht::bench
