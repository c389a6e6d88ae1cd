#include "artifacts/copy_referrers.h"

#include <fcntl.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "artifacts/local.h"
#include "artifacts/remote.h"
#include "copy/archive_image.h"
#include "copy/oci_dir_image.h"
#include "copy/short_names.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/media_type.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "registry/registry_client.h"
#include "store/artifacts.h"
#include "transport/storage_name.h"

namespace schicht::artifacts {
namespace {

using transport::Transport;
using transport::TransportRef;

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

// A reader that owns the file it reads.
class OwnedFileReader final : public Reader {
 public:
  OwnedFileReader(UniqueFd fd, const std::string& name)
      : fd_(std::move(fd)), reader_(fd_.get(), name) {}
  size_t read(void* buffer, size_t size) override { return reader_.read(buffer, size); }

 private:
  UniqueFd fd_;
  FdReader reader_;
};

// Where referrers are read from.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::string name() const = 0;
  // Whether it holds the manifest `digest` (the copy kept the image's digest).
  virtual bool holds(const Digest& manifest) = 0;
  // The OCI image manifests whose subject is `subject`, each verified against its digest.
  virtual std::vector<Manifest> referrers(const Digest& subject) = 0;
  // Writes the blob's bytes (unverified: whoever stores them verifies).
  virtual void fetch(const Descriptor& blob, Writer& out) = 0;

  // The blob in a temp file, its digest checked, for destinations that read it.
  std::unique_ptr<Reader> open_verified(const Descriptor& blob) {
    UniqueFd fd = temp_file();
    FdWriter file(fd.get(), blob.digest.str());
    HashingWriter hashed(&file);
    fetch(blob, hashed);
    if (hashed.finish() != blob.digest) {
      fail(ErrorKind::kIntegrity,
           fmt::format("blob {} of {} does not match its digest", blob.digest.str(), name()));
    }
    if (lseek(fd.get(), 0, SEEK_SET) != 0)
      fail_errno("rewinding a temporary file", temp_root().string());
    return std::make_unique<OwnedFileReader>(std::move(fd), blob.digest.str());
  }
};

// Where referrers are written to.
class Sink {
 public:
  virtual ~Sink() = default;
  // Writes `referrer` (and its blobs, from `from`) and records it as a referrer of its subject.
  // False when the destination holds it already (nothing written).
  virtual bool put(const Manifest& referrer, Source& from) = 0;
};

Manifest verified_referrer(std::string bytes, std::string_view type, const Digest& expected,
                           const std::string& where) {
  Manifest manifest = parse_manifest(std::move(bytes), type);
  if (manifest.digest != expected) {
    fail(ErrorKind::kIntegrity,
         fmt::format("the referrer {} in {} does not match its digest", expected.str(), where));
  }
  return manifest;
}

registry::RegistryOptions registry_options(const Reference& ref,
                                           const registry::RegistriesConf& conf,
                                           const copy::CopyOptions& options, bool source) {
  copy::TransferOptions transfer = options.transfer;
  transfer.registry = source ? options.source_registry : options.destination_registry;
  return copy::endpoint_options(ref, conf, transfer);
}

class RegistrySource final : public Source {
 public:
  RegistrySource(const Reference& ref, const registry::RegistryOptions& options)
      : ref_(ref), client_(ref.domain, options) {}
  std::string name() const override { return "docker://" + ref_.str(); }
  bool holds(const Digest& manifest) override {
    return client_.head_manifest(ref_.path, manifest.str()).has_value();
  }
  std::vector<Manifest> referrers(const Digest& subject) override {
    std::vector<Manifest> out;
    for (const Descriptor& d : remote_referrers(client_, ref_.path, subject).manifests) {
      registry::Manifest fetched = client_.get_manifest(ref_.path, d.digest.str());
      std::string type =
          fetched.media_type.empty() ? detect_manifest_type(fetched.bytes) : fetched.media_type;
      if (type != media_type::kOciManifest) continue;  // only manifests can name a subject here
      out.push_back(verified_referrer(std::move(fetched.bytes), type, d.digest, name()));
    }
    return out;
  }
  void fetch(const Descriptor& blob, Writer& out) override {
    client_.get_blob(ref_.path, blob.digest, static_cast<uint64_t>(blob.size), out);
  }
  registry::RegistryClient& client() { return client_; }
  const Reference& reference() const { return ref_; }

 private:
  Reference ref_;
  registry::RegistryClient client_;
};

// oci: and oci-archive:: the index.json entries with an artifactType.
class LayoutSource final : public Source {
 public:
  explicit LayoutSource(const TransportRef& ref)
      : name_(ref.str()), index_(read_index(ref)), source_(open(ref)) {}
  std::string name() const override { return name_; }
  bool holds(const Digest& manifest) override {
    for (const Descriptor& entry : index_.manifests) {
      if (entry.digest == manifest) return true;
      if (!media_type::is_index(entry.media_type)) continue;
      copy::RawManifest raw = source_->manifest(entry.digest);
      for (const Descriptor& instance : parse_index(raw.bytes, raw.media_type).manifests)
        if (instance.digest == manifest) return true;
    }
    return false;
  }
  std::vector<Manifest> referrers(const Digest& subject) override {
    std::vector<Manifest> out;
    for (const Manifest& m : listed()) {
      if (m.subject && m.subject->digest == subject) out.push_back(m);
    }
    return out;
  }
  void fetch(const Descriptor& blob, Writer& out) override { source_->get_blob(blob, out); }

 private:
  static Index read_index(const TransportRef& ref) {
    if (ref.transport == Transport::kOci) return copy::layout_index(ref.path, ref.str());
    return copy::OpenedArchive(ref.path, registry::kManifestSizeLimit).oci_index();
  }
  static std::unique_ptr<copy::ImageSource> open(const TransportRef& ref) {
    if (ref.transport == Transport::kOci) return copy::oci_dir_source(ref.path, "", ref.str());
    return copy::oci_archive_source(ref.path, "", ref.str());
  }

  // The referrer manifests index.json lists, read once.
  const std::vector<Manifest>& listed() {
    if (listed_) return *listed_;
    listed_.emplace();
    for (const Descriptor& entry : index_.manifests) {
      if (entry.artifact_type.empty() || entry.media_type != media_type::kOciManifest) continue;
      copy::RawManifest raw = source_->manifest(entry.digest);
      listed_->push_back(
          verified_referrer(std::move(raw.bytes), media_type::kOciManifest, entry.digest, name_));
    }
    return *listed_;
  }

  std::string name_;
  Index index_;
  std::unique_ptr<copy::ImageSource> source_;
  std::optional<std::vector<Manifest>> listed_;
};

class StoreSource final : public Source {
 public:
  explicit StoreSource(store::Store& store) : store_(store) {}
  std::string name() const override { return "containers-storage:"; }
  bool holds(const Digest& manifest) override {
    return store_.image_by_manifest(manifest).has_value();
  }
  std::vector<Manifest> referrers(const Digest& subject) override {
    std::vector<Manifest> out;
    for (Artifact& a : local_referrers(store_, subject)) out.push_back(std::move(a.manifest));
    return out;
  }
  void fetch(const Descriptor& blob, Writer& out) override {
    UniqueFd fd = store_.blobs().open(blob.digest);
    FdReader reader(fd.get(), blob.digest.str());
    copy_stream(reader, out);
  }

 private:
  store::Store& store_;
};

class RegistrySink final : public Sink {
 public:
  RegistrySink(const Reference& ref, const registry::RegistryOptions& options)
      : ref_(ref), client_(ref.domain, options) {}
  bool put(const Manifest& referrer, Source& from) override {
    put_blob(referrer.config, from);
    for (const Descriptor& layer : referrer.layers) put_blob(layer, from);
    client_.put_manifest(ref_.path, referrer.digest.str(), referrer.raw, media_type::kOciManifest);
    record_referrer(client_, ref_.path, referrer);
    return true;
  }

 private:
  // Skipped when there, mounted within one registry, else through a verified temp file.
  void put_blob(const Descriptor& blob, Source& from) {
    if (client_.head_blob(ref_.path, blob.digest)) return;
    auto* registry = dynamic_cast<RegistrySource*>(&from);
    if (registry != nullptr && registry->client().host() == client_.host() &&
        client_.mount_blob(ref_.path, blob.digest, registry->reference().path)) {
      return;
    }
    std::unique_ptr<Reader> data = from.open_verified(blob);
    client_.push_blob(ref_.path, blob.digest, static_cast<uint64_t>(blob.size), *data);
  }

  Reference ref_;
  registry::RegistryClient client_;
};

// Into the OCI layout being written, before it commits (as save --referrers writes them).
class LayoutSink final : public Sink {
 public:
  explicit LayoutSink(copy::ImageDestination& layout) : layout_(layout) {}
  bool put(const Manifest& referrer, Source& from) override {
    put_blob(referrer.config, from);
    for (const Descriptor& layer : referrer.layers) put_blob(layer, from);
    layout_.put_manifest(referrer.raw, media_type::kOciManifest, /*top=*/false);
    layout_.add_layout_entry(referrer_descriptor(referrer));
    return true;
  }

 private:
  void put_blob(const Descriptor& blob, Source& from) {
    if (!written_.insert(blob.digest).second) return;
    std::unique_ptr<Reader> data = from.open_verified(blob);
    layout_.put_blob(blob, *data);
  }

  copy::ImageDestination& layout_;
  std::set<Digest> written_;
};

class SourceFetch final : public BlobFetch {
 public:
  explicit SourceFetch(Source& source) : source_(source) {}
  void fetch(const Descriptor& blob, Writer& sink) override { source_.fetch(blob, sink); }

 private:
  Source& source_;
};

// As stored artifacts named as pull --referrers names them.
class StoreSink final : public Sink {
 public:
  StoreSink(store::Store& store, std::string repository)
      : store_(store), repository_(std::move(repository)) {}
  bool put(const Manifest& referrer, Source& from) override {
    if (!store::artifacts_with_digest_prefix(store_, referrer.digest.hex()).empty()) return false;
    SourceFetch fetch(from);
    std::string name =
        fmt::format("{}:ref-{}-{}", repository_, referrer.subject->digest.short_hex(),
                    referrer.digest.short_hex());
    store_artifact(store_, name, referrer, fetch, /*replace=*/false);
    return true;
  }

 private:
  store::Store& store_;
  std::string repository_;
};

size_t walk(Source& from, Sink& to, const Digest& subject, int depth, std::set<Digest>& seen,
            const copy::ReportLine& report) {
  if (depth > kMaxReferrerDepth) return 0;
  size_t copied = 0;
  for (const Manifest& m : from.referrers(subject)) {
    if (!seen.insert(m.digest).second) continue;
    if (report) report(fmt::format("Copying referrer {}", m.digest.str()));
    if (to.put(m, from)) ++copied;
    copied += walk(from, to, m.digest, depth + 1, seen, report);
  }
  return copied;
}

bool is_layout(const TransportRef& ref) {
  return ref.transport == Transport::kOci || ref.transport == Transport::kOciArchive;
}

// "host/path" of a containers-storage: destination's name ("localhost/referrers" for an ID).
std::string storage_repository(const TransportRef& ref) {
  transport::StorageName name = transport::storage_name(ref);
  if (!name.named) return "localhost/referrers";
  return name.named->domain + "/" + name.named->path;
}

void refuse(const TransportRef& ref, std::string_view role) {
  fail(ErrorKind::kInvalidInput,
       fmt::format("--referrers: the {} {} is a {}: transport, which cannot hold referrers (use "
                   "docker://, oci:, oci-archive: or containers-storage:)",
                   role, ref.str(), ref.name));
}

}  // namespace

bool holds_referrers(const TransportRef& ref) {
  return ref.transport == Transport::kDocker || is_layout(ref) ||
         ref.transport == Transport::kContainersStorage;
}

struct ReferrerCopy::State {
  TransportRef from, to;
  const registry::RegistriesConf& conf;
  copy::CopyOptions options;  // the registry sides, the report and the store
  std::optional<Digest> top;
  size_t copied = 0;

  std::unique_ptr<Source> source() {
    if (from.transport == Transport::kDocker) {
      Reference ref = copy::parse_docker_name(from.rest);
      return std::make_unique<RegistrySource>(ref, registry_options(ref, conf, options, true));
    }
    if (is_layout(from)) return std::make_unique<LayoutSource>(from);
    return std::make_unique<StoreSource>(options.store());
  }

  size_t carry(Source& source, Sink& sink) {
    if (!source.holds(*top)) {
      fail(ErrorKind::kIntegrity,
           fmt::format("--referrers: {} holds no manifest {}, the one the copy wrote to {} (the "
                       "copy changed its digest), so its referrers cannot follow",
                       source.name(), top->str(), to.str()));
    }
    std::set<Digest> seen;
    return walk(source, sink, *top, 0, seen, options.transfer.report);
  }
};

ReferrerCopy::ReferrerCopy(const TransportRef& from, const TransportRef& to,
                           const registry::RegistriesConf& conf, const copy::CopyOptions& options) {
  if (!holds_referrers(from)) refuse(from, "source");
  if (!holds_referrers(to)) refuse(to, "destination");
  state_ = std::make_shared<State>(State{.from = from, .to = to, .conf = conf, .options = options});
}

ReferrerCopy::~ReferrerCopy() = default;

void ReferrerCopy::attach(copy::CopyOptions& options) {
  std::shared_ptr<State> state = state_;
  options.before_commit = [state](const Digest& top, copy::ImageDestination& destination) {
    state->top = top;
    if (!is_layout(state->to)) return;
    std::unique_ptr<Source> source = state->source();
    LayoutSink sink(destination);
    state->copied = state->carry(*source, sink);
  };
}

size_t ReferrerCopy::finish() {
  State& s = *state_;
  if (!s.top || is_layout(s.to)) return s.copied;  // skipped, or written before the commit
  std::unique_ptr<Source> source = s.source();
  if (s.to.transport == Transport::kDocker) {
    Reference ref = copy::parse_docker_name(s.to.rest);
    RegistrySink sink(ref, registry_options(ref, s.conf, s.options, false));
    return s.copied = s.carry(*source, sink);
  }
  StoreSink sink(s.options.store(), storage_repository(s.to));
  return s.copied = s.carry(*source, sink);
}

}  // namespace schicht::artifacts
