// Image-reference parsing (Reference::parse: the Docker grammar plus Docker Hub normalization)
// on the mix of references commands get: short names, tagged names, host:port/namespace/repo:tag
// and digested references (items/s = references parsed per second).
#include <array>
#include <string>

#include "core/digest.h"
#include "core/reference.h"
#include "inputs.h"

namespace schicht::bench {
namespace {

std::array<std::string, 12> reference_mix() {
  std::string digest = Digest::sha256_of("reference bench").str();
  return {"busybox",
          "alpine:3.18",
          "library/nginx:1.25-alpine",
          "fedora/httpd",
          "docker.io/library/ubuntu:22.04",
          "quay.io/podman/stable:v4.3.1",
          "localhost/bench/img500:1",
          "localhost:5000/team/app:2.1.0-rc1",
          "registry.example.com:8443/org/group/service/api:build-1234",
          "ghcr.io/owner/tool@" + digest,
          "docker.io/library/alpine:3.18@" + digest,
          "registry.example.com:8443/org/repo:v1@" + digest};
}

void BM_ReferenceParse(benchmark::State& state) {
  const auto mix = reference_mix();
  for (auto _ : state) {
    for (const auto& text : mix) benchmark::DoNotOptimize(Reference::parse(text));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(mix.size()));
}
BENCHMARK(BM_ReferenceParse);

}  // namespace
}  // namespace schicht::bench
