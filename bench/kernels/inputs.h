// Inputs shared by the kernel benchmarks: a deterministic layer-like tar (files of text-like and
// of random bytes, so that it compresses about as well as real layers: ~2x) and its compressed
// forms, each built once per process.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "archive/compression.h"

namespace schicht::bench {

// About 16 MiB of tar: 1,024 files of 16 KiB, half text-like and half random.
const std::string& layer_tar();
// layer_tar() compressed as `compression` at its default level.
const std::string& compressed_layer(Compression compression);

// Reports `bytes` per iteration as MB/s (10^6 bytes) in the "MB" column (printed as MB/s).
void report_rate(benchmark::State& state, uint64_t bytes);

}  // namespace schicht::bench
