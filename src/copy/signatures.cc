#include "copy/signatures.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include <fmt/format.h>

#include "copy/pull.h"
#include "copy/pull_trust.h"
#include "copy/small_blob.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/media_type.h"
#include "http/client.h"
#include "oci/index.h"
#include "trust/gpg.h"
#include "trust/signature_payload.h"

namespace schicht::copy {
namespace {

// containers/image's bound on one signature.
constexpr size_t kSignatureLimit = size_t{4} << 20;
// Lookaside storage has no listing: signature-N is read until one is missing; this bounds a
// storage that never says "missing".
constexpr size_t kMaxSignatures = 128;

constexpr std::string_view kFileScheme = "file://";

bool is_http(std::string_view url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

// The file's bytes, or nullopt when it does not exist.
std::optional<std::string> read_if_exists(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  if (fs::file_size(path, ec) > kSignatureLimit) {
    fail(ErrorKind::kInvalidInput, fmt::format("signature {} is larger than 4 MiB", path));
  }
  return read_file(path);
}

}  // namespace

LookasideSignatures::LookasideSignatures(const trust::RegistriesD& config, Reference location,
                                         Digest manifest_digest, http::HttpOptions http)
    : config_(config),
      location_(std::move(location)),
      manifest_digest_(std::move(manifest_digest)),
      http_(std::move(http)) {}

std::vector<trust::Signature> LookasideSignatures::signatures() {
  std::string base = config_.read_base(location_);
  std::vector<trust::Signature> out;
  std::unique_ptr<http::HttpClient> http;
  for (size_t n = 1; n <= kMaxSignatures; ++n) {
    std::string url = trust::lookaside_url(base, location_, manifest_digest_, n);
    std::optional<std::string> bytes;
    if (url.starts_with(kFileScheme)) {
      bytes = with_context(fmt::format("reading signature from {}", url),
                           [&] { return read_if_exists(url.substr(kFileScheme.size())); });
    } else if (is_http(url)) {
      if (!http) http = std::make_unique<http::HttpClient>(http_);
      http::HttpResponse response = http->send({.url = url}, kSignatureLimit);
      if (response.status == 404) break;
      if (response.status != 200) {
        fail(ErrorKind::kNetwork, fmt::format("reading signature from {}: status {}", url,
                                              http::status_text(response.status)));
      }
      bytes = std::move(response.body);
    } else {
      fail(ErrorKind::kUnsupported,
           fmt::format("lookaside {:?} in registries.d {}: only file://, http:// and https:// "
                       "are supported",
                       base, config_.directory()));
    }
    if (!bytes) break;
    out.push_back(trust::Signature{
        .format = std::string(trust::kSimpleSigning), .bytes = std::move(*bytes), .origin = url});
  }
  return out;
}

trust::Decision evaluate_registry_image(const trust::Policy& policy,
                                        const trust::RegistriesD& config, const Reference& identity,
                                        const registry::RegistriesConf& conf,
                                        const registry::RegistryOptions& options) {
  trust::Subject subject{"docker", "docker://" + identity.str(), trust::docker_scopes(identity)};
  if (!trust::needs_signatures(policy, subject)) {
    trust::NoSignatures none;
    return trust::evaluate(policy, subject, none);
  }
  registry::Endpoint endpoint = conf.endpoint(identity);
  PullOptions pull;
  pull.registry = options;
  pull.registry.insecure = endpoint.insecure;
  pull.policy = std::shared_ptr<const trust::Policy>(&policy, [](const trust::Policy*) {});
  pull.registries_d =
      std::shared_ptr<const trust::RegistriesD>(&config, [](const trust::RegistriesD*) {});
  PullAdmission admission(pull, identity);
  registry::RegistryClient client(identity.domain, pull.registry);
  Manifest manifest = fetch_image_manifest(client, identity, PlatformChoice{});
  return admission.evaluate_manifest(client, identity, manifest);
}

std::shared_ptr<const trust::RegistriesD> load_registries_d(std::string_view dir) {
  return std::make_shared<const trust::RegistriesD>(
      trust::RegistriesD::load(trust::registries_d_dir(dir)));
}

std::string lookaside_write_dir(const trust::RegistriesD& config, const Reference& reference,
                                const Digest& manifest_digest) {
  std::string base = config.write_base(reference);
  if (!base.starts_with(kFileScheme)) {
    fail(ErrorKind::kUnsupported,
         fmt::format("writing signatures to {:?} is not supported: lookaside-staging must be a "
                     "file:// URL (registries.d {})",
                     base, config.directory()));
  }
  std::string url = trust::lookaside_url(base, reference, manifest_digest, 1);
  return fs::path(url.substr(kFileScheme.size())).parent_path().string();
}

std::string write_lookaside_signature(const std::string& dir, std::string_view signature) {
  make_dirs(dir);
  for (size_t n = 1;; ++n) {
    std::string path = fmt::format("{}/signature-{}", dir, n);
    // O_EXCL: a signature written at the same time by another process keeps its index.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) fail_errno("writing signature", path);
    UniqueFd file(fd);
    size_t done = 0;
    while (done < signature.size()) {
      ssize_t w = ::write(fd, signature.data() + done, signature.size() - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        int saved = errno;
        ::unlink(path.c_str());
        errno = saved;
        fail_errno("writing signature", path);
      }
      done += static_cast<size_t>(w);
    }
    fsync_fd(fd, path);
    return path;
  }
}

std::string sign_simple(const Reference& identity, const Digest& manifest_digest,
                        const std::string& key) {
  std::string payload = trust::build_payload(
      trust::kSimpleSigningPayloadType,
      trust::SignedClaims{.docker_reference = identity.with_default_tag().str(),
                          .manifest_digest = manifest_digest,
                          .creator = "schicht",
                          .timestamp = static_cast<int64_t>(std::time(nullptr))});
  return trust::gpg_sign(payload, key);
}

std::vector<std::string> sign_registry_image(const Reference& reference, const std::string& key,
                                             bool all, const std::string& directory,
                                             const trust::RegistriesD& config,
                                             const registry::RegistriesConf& conf,
                                             const registry::RegistryOptions& options) {
  registry::RegistryOptions reach = options;
  reach.insecure = conf.endpoint(reference).insecure;
  registry::RegistryClient client(reference.domain, reach);
  std::string version = reference.digest ? reference.digest->str() : reference.tag;
  registry::Manifest top = with_context(
      "getting image source", [&] { return client.get_manifest(reference.path, version); });
  std::vector<Digest> digests;
  if (all) {
    std::string type = detect_manifest_type(top.bytes, top.media_type);
    if (!media_type::is_index(type)) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("docker://{} is not a multi-architecture image (manifest type {})",
                       reference.str(), type));
    }
    for (const Descriptor& instance : parse_index(top.bytes, type).manifests) {
      digests.push_back(instance.digest);
    }
  } else {
    digests.push_back(top.digest);
  }
  std::vector<std::pair<std::string, std::string>> pending;  // directory, signature
  for (const Digest& digest : digests) {
    std::string dir = directory.empty() ? lookaside_write_dir(config, reference, digest)
                                        : fmt::format("{}/{}@{}={}", directory, reference.path,
                                                      digest.algorithm_name(), digest.hex());
    pending.emplace_back(dir, sign_simple(reference, digest, key));
  }
  std::vector<std::string> written;
  for (const auto& [dir, signature] : pending) {
    written.push_back(write_lookaside_signature(dir, signature));
  }
  return written;
}

Reference parse_signing_name(const std::string& text) {
  constexpr std::string_view kDocker = "docker://";
  if (!text.starts_with(kDocker)) {
    size_t colon = text.find(':');
    if (colon == std::string::npos) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("parsing image name: Invalid image name {:?}, expected colon-separated "
                       "transport:reference",
                       text));
    }
    fail(ErrorKind::kInvalidInput,
         fmt::format("parsing image name: Invalid image name {:?}, unknown transport {:?}", text,
                     text.substr(0, colon)));
  }
  return with_context("parsing image name",
                      [&] { return Reference::parse_docker_ref(text.substr(kDocker.size())); });
}

}  // namespace schicht::copy
