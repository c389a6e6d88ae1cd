#include "artifacts/carry_referrers.h"

#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "artifacts/copy_referrers.h"
#include "artifacts/local.h"
#include "artifacts/remote.h"
#include "core/error.h"
#include "core/media_type.h"
#include "oci/manifest.h"
#include "registry/registry_client.h"
#include "store/artifacts.h"

namespace schicht::artifacts {
namespace {

class RepositoryFetch final : public BlobFetch {
 public:
  RepositoryFetch(registry::RegistryClient& client, std::string_view repository)
      : client_(client), repository_(repository) {}
  void fetch(const Descriptor& blob, Writer& sink) override {
    client_.get_blob(repository_, blob.digest, static_cast<uint64_t>(blob.size), sink);
  }

 private:
  registry::RegistryClient& client_;
  std::string repository_;
};

struct PullWalk {
  store::Store& store;
  registry::RegistryClient& client;
  const Reference& source;
  const copy::ReportLine& report;
  std::set<Digest> seen;

  size_t walk(const Digest& subject, int depth) {
    if (depth > kMaxReferrerDepth) return 0;
    size_t stored = 0;
    for (const Descriptor& d : remote_referrers(client, source.path, subject).manifests) {
      if (!seen.insert(d.digest).second) continue;
      registry::Manifest fetched = client.get_manifest(source.path, d.digest.str());
      std::string type =
          fetched.media_type.empty() ? detect_manifest_type(fetched.bytes) : fetched.media_type;
      if (type != media_type::kOciManifest) continue;  // only manifests can name a subject here
      Manifest manifest = parse_manifest(std::move(fetched.bytes), type);
      if (manifest.digest != d.digest) {
        fail(ErrorKind::kIntegrity, fmt::format("the referrer {} of {} does not match its digest",
                                                d.digest.str(), source.str()));
      }
      if (store::artifacts_with_digest_prefix(store, manifest.digest.hex()).empty()) {
        if (report) report(fmt::format("Copying referrer {}", manifest.digest.str()));
        RepositoryFetch fetch(client, source.path);
        std::string name = fmt::format("{}/{}:ref-{}-{}", source.domain, source.path,
                                       subject.short_hex(), manifest.digest.short_hex());
        store_artifact(store, name, manifest, fetch, /*replace=*/false);
        ++stored;
      }
      stored += walk(manifest.digest, depth + 1);
    }
    return stored;
  }
};

struct PushWalk {
  store::Store& store;
  registry::RegistryClient& client;
  const Reference& destination;
  const copy::ReportLine& report;
  std::set<Digest> seen;

  void push_blob(const Descriptor& blob) {
    if (client.head_blob(destination.path, blob.digest)) return;
    UniqueFd fd = store.blobs().open(blob.digest);
    FdReader reader(fd.get(), blob.digest.str());
    client.push_blob(destination.path, blob.digest, static_cast<uint64_t>(blob.size), reader);
  }

  size_t walk(const Digest& subject, int depth) {
    if (depth > kMaxReferrerDepth) return 0;
    size_t pushed = 0;
    for (const Artifact& a : local_referrers(store, subject)) {
      if (!seen.insert(a.manifest.digest).second) continue;
      if (report) report(fmt::format("Copying referrer {}", a.manifest.digest.str()));
      push_blob(a.manifest.config);
      for (const Descriptor& layer : a.manifest.layers) push_blob(layer);
      client.put_manifest(destination.path, a.manifest.digest.str(), a.manifest.raw,
                          media_type::kOciManifest);
      record_referrer(client, destination.path, a.manifest);
      ++pushed;
      pushed += walk(a.manifest.digest, depth + 1);
    }
    return pushed;
  }
};

struct SaveWalk {
  store::Store& store;
  copy::ImageDestination& layout;
  const copy::ReportLine& report;
  std::set<Digest> seen;

  void put_blob(const Descriptor& blob) {
    UniqueFd fd = store.blobs().open(blob.digest);
    FdReader reader(fd.get(), blob.digest.str());
    layout.put_blob(blob, reader);
  }

  size_t walk(const Digest& subject, int depth) {
    if (depth > kMaxReferrerDepth) return 0;
    size_t saved = 0;
    for (const Artifact& a : local_referrers(store, subject)) {
      if (!seen.insert(a.manifest.digest).second) continue;
      if (report) report(fmt::format("Copying referrer {}", a.manifest.digest.str()));
      put_blob(a.manifest.config);
      for (const Descriptor& layer : a.manifest.layers) put_blob(layer);
      layout.put_manifest(a.manifest.raw, media_type::kOciManifest, /*top=*/false);
      layout.add_layout_entry(referrer_descriptor(a.manifest));
      ++saved;
      saved += walk(a.manifest.digest, depth + 1);
    }
    return saved;
  }
};

class SourceFetch final : public BlobFetch {
 public:
  explicit SourceFetch(copy::ImageSource& source) : source_(source) {}
  void fetch(const Descriptor& blob, Writer& sink) override { source_.get_blob(blob, sink); }

 private:
  copy::ImageSource& source_;
};

// "host/path" of a stored name "host/path:tag" (or "host/path@digest").
std::string repository_of(const std::vector<std::string>& names) {
  if (names.empty()) return "localhost/referrers";
  const std::string& name = names.front();
  size_t at = name.find('@');
  std::string base = at == std::string::npos ? name : name.substr(0, at);
  size_t colon = base.rfind(':');
  if (colon != std::string::npos && base.find('/', colon) == std::string::npos) {
    base.resize(colon);
  }
  return base;
}

}  // namespace

size_t load_referrers(store::Store& store, std::vector<copy::LayoutReferrer>& referrers,
                      const std::vector<copy::LoadedImage>& images,
                      const copy::ReportLine& report) {
  // subject manifest digest -> the repository its referrers are named in
  std::map<Digest, std::string> subjects;
  for (const copy::LoadedImage& image : images)
    subjects[image.manifest] = repository_of(image.names);
  struct Read {
    Manifest manifest;
    copy::ImageSource* source;
  };
  std::vector<Read> read;
  for (copy::LayoutReferrer& r : referrers) {
    if (r.entry.media_type != media_type::kOciManifest) continue;
    copy::RawManifest raw = r.source->manifest(r.entry.digest);
    Manifest manifest = parse_manifest(std::move(raw.bytes), media_type::kOciManifest);
    if (manifest.digest != r.entry.digest) {
      fail(ErrorKind::kIntegrity,
           fmt::format("the referrer {} does not match its digest", r.entry.digest.str()));
    }
    read.push_back(Read{std::move(manifest), r.source.get()});
  }
  size_t stored = 0;
  std::set<Digest> done;
  // Each pass stores the referrers of what is stored so far: one level deeper each time.
  for (int depth = 0; depth <= kMaxReferrerDepth; ++depth) {
    std::map<Digest, std::string> found;
    for (const Read& r : read) {
      if (!r.manifest.subject || done.contains(r.manifest.digest)) continue;
      auto subject = subjects.find(r.manifest.subject->digest);
      if (subject == subjects.end()) continue;
      done.insert(r.manifest.digest);
      found[r.manifest.digest] = subject->second;
      if (!store::artifacts_with_digest_prefix(store, r.manifest.digest.hex()).empty()) continue;
      if (report) report(fmt::format("Copying referrer {}", r.manifest.digest.str()));
      SourceFetch fetch(*r.source);
      std::string name =
          fmt::format("{}:ref-{}-{}", subject->second, r.manifest.subject->digest.short_hex(),
                      r.manifest.digest.short_hex());
      store_artifact(store, name, r.manifest, fetch, /*replace=*/false);
      ++stored;
    }
    if (found.empty()) break;
    subjects.merge(found);
  }
  return stored;
}

size_t save_referrers(store::Store& store, const Digest& subject, const Digest& top,
                      copy::ImageDestination& layout, const copy::ReportLine& report) {
  if (top != subject) {
    fail(ErrorKind::kIntegrity,
         fmt::format("--referrers: the save changed the image's manifest digest ({} stored, {} "
                     "saved), so its referrers, which name {}, were not saved",
                     subject.str(), top.str(), subject.str()));
  }
  SaveWalk save{.store = store, .layout = layout, .report = report};
  return save.walk(subject, 0);
}

size_t pull_referrers(store::Store& store, const Reference& source, const Digest& subject,
                      const registry::RegistriesConf& conf, const copy::TransferOptions& options) {
  registry::RegistryClient client(source.domain, copy::endpoint_options(source, conf, options));
  PullWalk pull{.store = store, .client = client, .source = source, .report = options.report};
  return pull.walk(subject, 0);
}

size_t push_referrers(store::Store& store, const Digest& subject, const Digest& pushed,
                      const Reference& destination, const registry::RegistriesConf& conf,
                      const copy::TransferOptions& options) {
  if (pushed != subject) {
    fail(ErrorKind::kIntegrity,
         fmt::format("--referrers: the push changed the image's manifest digest ({} stored, {} "
                     "pushed), so its referrers, which name {}, were not pushed",
                     subject.str(), pushed.str(), subject.str()));
  }
  registry::RegistryClient client(destination.domain,
                                  copy::endpoint_options(destination, conf, options));
  PushWalk push{
      .store = store, .client = client, .destination = destination, .report = options.report};
  return push.walk(subject, 0);
}

}  // namespace schicht::artifacts
