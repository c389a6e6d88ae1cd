// Manifest, index and config parsing (src/oci: JSON parse, validation, sha256 of the document)
// on documents shaped like real ones of a few KB: an OCI manifest of 8 gzip layers with
// annotations, the Docker schema 2 manifest of the same image, an OCI index of 8 platforms and
// an image config with environment, labels, 14 history entries and 8 diff IDs.
#include <string>

#include <fmt/format.h>

#include "core/digest.h"
#include "inputs.h"
#include "oci/config.h"
#include "oci/index.h"
#include "oci/manifest.h"

namespace schicht::bench {
namespace {

std::string hex_digest(int seed) {
  return Digest::sha256_of("doc " + std::to_string(seed)).str();
}

std::string descriptor(std::string_view media_type, int seed, int64_t size,
                       std::string extra = "") {
  return fmt::format(R"({{"mediaType":"{}","digest":"{}","size":{}{}}})", media_type,
                     hex_digest(seed), size, extra);
}

std::string layers_json(std::string_view media_type, bool annotate) {
  std::string out;
  for (int i = 0; i < 8; ++i) {
    std::string extra =
        annotate
            ? fmt::format(
                  R"(,"annotations":{{"org.opencontainers.image.title":"layer-{}.tar.gz"}})", i)
            : "";
    out += (i ? "," : "") + descriptor(media_type, 100 + i, 1'000'000 + 37'113 * i, extra);
  }
  return out;
}

std::string oci_manifest() {
  return fmt::format(
      R"({{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},)"
      R"("layers":[{}],"annotations":{{"org.opencontainers.image.base.name":"docker.io/library/debian:bookworm",)"
      R"("org.opencontainers.image.created":"2026-11-27T01:02:03Z","org.opencontainers.image.revision":"{}",)"
      R"("org.opencontainers.image.source":"https://example.com/org/app.git","org.opencontainers.image.version":"2.1.0"}}}})",
      descriptor("application/vnd.oci.image.config.v1+json", 1, 7023),
      layers_json("application/vnd.oci.image.layer.v1.tar+gzip", true),
      Digest::sha256_of("revision").hex().substr(0, 40));
}

std::string docker_manifest() {
  return fmt::format(
      R"({{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
      R"("config":{},"layers":[{}]}})",
      descriptor("application/vnd.docker.container.image.v1+json", 1, 7023),
      layers_json("application/vnd.docker.image.rootfs.diff.tar.gzip", false));
}

std::string oci_index() {
  const char* const platforms[] = {R"("architecture":"amd64","os":"linux")",
                                   R"("architecture":"arm","os":"linux","variant":"v6")",
                                   R"("architecture":"arm","os":"linux","variant":"v7")",
                                   R"("architecture":"arm64","os":"linux","variant":"v8")",
                                   R"("architecture":"386","os":"linux")",
                                   R"("architecture":"ppc64le","os":"linux")",
                                   R"("architecture":"riscv64","os":"linux")",
                                   R"("architecture":"s390x","os":"linux")"};
  std::string manifests;
  int seed = 200;
  for (const char* platform : platforms) {
    manifests += (manifests.empty() ? "" : ",") +
                 descriptor("application/vnd.oci.image.manifest.v1+json", seed++, 1611,
                            fmt::format(R"(,"platform":{{{}}})", platform));
  }
  return fmt::format(
      R"({{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}],)"
      R"("annotations":{{"org.opencontainers.image.created":"2026-11-27T01:02:03Z"}}}})",
      manifests);
}

std::string image_config() {
  std::string history, diff_ids;
  for (int i = 0; i < 14; ++i) {
    bool empty = i % 2 == 1 && i < 12;
    history += fmt::format(
        R"({}{{"created":"2026-11-2{}T0{}:1{}:0{}.{}Z","created_by":"/bin/sh -c {}",{}"comment":"buildkit.dockerfile.v0"{}}})",
        i ? "," : "", i % 7, i % 10, i % 6, i % 10, 123456789 + i,
        empty ? "#(nop)  ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
              : "set -eux; apt-get update; apt-get install -y --no-install-recommends "
                "ca-certificates "
                "curl gnupg netbase wget; rm -rf /var/lib/apt/lists/*",
        i == 0 ? R"("author":"Build Bot <bot@example.com>",)" : "",
        empty ? R"(,"empty_layer":true)" : "");
  }
  for (int i = 0; i < 8; ++i)
    diff_ids += (i ? "," : "") + fmt::format(R"("{}")", hex_digest(300 + i));
  return fmt::format(
      R"({{"architecture":"amd64","config":{{"User":"app","ExposedPorts":{{"8080/tcp":{{}},"8443/tcp":{{}}}},)"
      R"("Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8",)"
      R"("APP_HOME=/srv/app","APP_VERSION=2.1.0","GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D"],)"
      R"("Entrypoint":["/usr/local/bin/docker-entrypoint.sh"],"Cmd":["app","serve","--port","8080"],)"
      R"("Volumes":{{"/srv/app/data":{{}}}},"WorkingDir":"/srv/app","Labels":{{"maintainer":"team@example.com",)"
      R"("org.opencontainers.image.source":"https://example.com/org/app.git","org.opencontainers.image.version":"2.1.0"}},)"
      R"("StopSignal":"SIGTERM"}},"created":"2026-11-27T01:02:03.456789012Z","history":[{}],"os":"linux",)"
      R"("rootfs":{{"type":"layers","diff_ids":[{}]}}}})",
      history, diff_ids);
}

template <typename Parse>
void parse_document(benchmark::State& state, const std::string& doc, Parse parse) {
  for (auto _ : state) benchmark::DoNotOptimize(parse(doc));
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(fmt::format("{} bytes", doc.size()));
  report_rate(state, doc.size());
}

void BM_ParseOciManifest(benchmark::State& state) {
  parse_document(state, oci_manifest(), [](const std::string& d) { return parse_manifest(d); });
}
BENCHMARK(BM_ParseOciManifest);

void BM_ParseDockerManifest(benchmark::State& state) {
  parse_document(state, docker_manifest(), [](const std::string& d) { return parse_manifest(d); });
}
BENCHMARK(BM_ParseDockerManifest);

void BM_ParseOciIndex(benchmark::State& state) {
  parse_document(state, oci_index(), [](const std::string& d) { return parse_index(d); });
}
BENCHMARK(BM_ParseOciIndex);

void BM_ParseConfig(benchmark::State& state) {
  parse_document(state, image_config(), [](const std::string& d) { return parse_config(d); });
}
BENCHMARK(BM_ParseConfig);

}  // namespace
}  // namespace schicht::bench
