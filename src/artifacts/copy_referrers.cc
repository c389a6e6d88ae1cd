#include "artifacts/copy_referrers.h"

#include <fcntl.h>
#include <unistd.h>

#include <set>

#include <fmt/format.h>

#include "artifacts/remote.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/media_type.h"
#include "oci/manifest.h"

namespace schicht::artifacts {
namespace {

std::string tag_or_digest(const Reference& ref) {
  if (ref.digest) return ref.digest->str();
  return ref.tag.empty() ? "latest" : ref.tag;
}

UniqueFd temp_file() {
  fs::path dir = temp_root();
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return UniqueFd(fd);
  std::string name = (dir / "schicht-referrer-XXXXXX").string();
  fd = mkstemp(name.data());
  if (fd < 0) fail_errno("creating a temporary file", dir.string());
  unlink(name.c_str());
  return UniqueFd(fd);
}

struct Side {
  registry::RegistryClient& client;
  std::string repository;
};

// One blob from `from` to `to`: skipped when there, mounted within one registry, else through
// an unnamed temp file, its digest checked before the upload.
void copy_blob(Side& from, Side& to, const Descriptor& blob) {
  if (to.client.head_blob(to.repository, blob.digest)) return;
  if (from.client.host() == to.client.host() &&
      to.client.mount_blob(to.repository, blob.digest, from.repository)) {
    return;
  }
  UniqueFd fd = temp_file();
  FdWriter file(fd.get(), blob.digest.str());
  HashingWriter hashed(&file);
  from.client.get_blob(from.repository, blob.digest, static_cast<uint64_t>(blob.size), hashed);
  if (hashed.finish() != blob.digest) {
    fail(ErrorKind::kIntegrity, fmt::format("blob {} of {} does not match its digest",
                                            blob.digest.str(), from.repository));
  }
  if (lseek(fd.get(), 0, SEEK_SET) != 0)
    fail_errno("rewinding a temporary file", temp_root().string());
  FdReader reader(fd.get(), blob.digest.str());
  to.client.push_blob(to.repository, blob.digest, static_cast<uint64_t>(blob.size), reader);
}

size_t copy_tree(Side& from, Side& to, const Digest& subject, int depth,
                 std::set<std::string>& seen, const copy::ReportLine& report) {
  if (depth > kMaxReferrerDepth) return 0;
  size_t copied = 0;
  for (const Descriptor& d : remote_referrers(from.client, from.repository, subject).manifests) {
    if (!seen.insert(d.digest.str()).second) continue;
    registry::Manifest fetched = from.client.get_manifest(from.repository, d.digest.str());
    std::string type =
        fetched.media_type.empty() ? detect_manifest_type(fetched.bytes) : fetched.media_type;
    if (type != media_type::kOciManifest) continue;  // only manifests can name a subject here
    Manifest manifest = parse_manifest(fetched.bytes, type);
    if (report) report(fmt::format("Copying referrer {}", manifest.digest.str()));
    copy_blob(from, to, manifest.config);
    for (const Descriptor& layer : manifest.layers) copy_blob(from, to, layer);
    to.client.put_manifest(to.repository, manifest.digest.str(), manifest.raw, type);
    record_referrer(to.client, to.repository, manifest);
    ++copied;
    copied += copy_tree(from, to, manifest.digest, depth + 1, seen, report);
  }
  return copied;
}

registry::RegistryOptions with_conf(const Reference& ref, const registry::RegistriesConf& conf,
                                    const registry::RegistryOptions& options) {
  copy::TransferOptions transfer;
  transfer.registry = options;
  return copy::endpoint_options(ref, conf, transfer);
}

}  // namespace

size_t copy_referrers(const Reference& source, const registry::RegistryOptions& source_options,
                      const Reference& destination,
                      const registry::RegistryOptions& destination_options,
                      const registry::RegistriesConf& conf, const copy::ReportLine& report) {
  registry::RegistryClient from_client(source.domain, with_conf(source, conf, source_options));
  registry::RegistryClient to_client(destination.domain,
                                     with_conf(destination, conf, destination_options));
  Digest subject = from_client.get_manifest(source.path, tag_or_digest(source)).digest;
  std::optional<registry::ManifestHead> there =
      to_client.head_manifest(destination.path, tag_or_digest(destination));
  if (!there || !there->digest || *there->digest != subject) {
    fail(ErrorKind::kIntegrity,
         fmt::format("--referrers: {} does not hold the manifest {} of {} (the copy changed its "
                     "digest), so its referrers cannot follow",
                     destination.str(), subject.str(), source.str()));
  }
  Side from{from_client, source.path};
  Side to{to_client, destination.path};
  std::set<std::string> seen;
  return copy_tree(from, to, subject, 0, seen, report);
}

}  // namespace schicht::artifacts
