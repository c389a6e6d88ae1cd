// oci-archive: and docker-archive: sources over an in-place tar index (archive_image.h).
#include <charconv>
#include <map>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "archive/compression.h"
#include "archive/tar_index.h"
#include "copy/archive_image.h"
#include "copy/oci_dir_image.h"
#include "copy/parallel.h"
#include "core/error.h"
#include "core/media_type.h"
#include "core/reference.h"
#include "oci/config.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "registry/registry_client.h"

namespace schicht::copy {
namespace {

using nlohmann::json;

// Exactly `size` bytes of `from` into `out`; kIntegrity when it holds another count.
void copy_exactly(Reader& from, uint64_t size, Writer& out, const std::string& shown) {
  LimitedReader limited(from, size, shown);
  if (copy_stream(limited, out) != size) {
    fail(ErrorKind::kIntegrity, fmt::format("{}: shorter than its descriptor's size", shown));
  }
}

// A member of the tar read in place as a blob: exactly `size` bytes, as copy_exactly reads it.
class MemberBlob final : public Reader {
 public:
  MemberBlob(std::unique_ptr<Reader> raw, uint64_t size, std::string shown)
      : raw_(std::move(raw)), limited_(*raw_, size, shown), left_(size), shown_(std::move(shown)) {}
  size_t read(void* buffer, size_t size) override {
    size_t n = limited_.read(buffer, size);
    left_ -= n;
    if (n == 0 && size > 0 && left_ > 0) {
      fail(ErrorKind::kIntegrity, fmt::format("{}: shorter than its descriptor's size", shown_));
    }
    return n;
  }

 private:
  std::unique_ptr<Reader> raw_;
  LimitedReader limited_;
  uint64_t left_;
  std::string shown_;
};

class OciArchiveSource final : public ImageSource {
 public:
  OciArchiveSource(fs::path file, std::string ref, std::string name)
      : file_(std::move(file)), ref_(std::move(ref)), name_(std::move(name)) {}
  OciArchiveSource(std::shared_ptr<OpenedArchive> archive, size_t entry, std::string name)
      : file_(archive->file()),
        name_(std::move(name)),
        entry_(entry),
        archive_(std::move(archive)) {}

  std::string name() const override { return name_; }

  RawManifest manifest(const std::optional<Digest>& instance) override {
    if (!archive_) archive_ = std::make_shared<OpenedArchive>(file_, registry::kManifestSizeLimit);
    if (instance) return verified(Descriptor{.digest = *instance});
    const Descriptor& chosen = chosen_entry(archive_->oci_index());
    names_.clear();
    for (std::string_view key : {"io.containerd.image.name", "org.opencontainers.image.ref.name"}) {
      if (auto it = chosen.annotations.find(std::string(key)); it != chosen.annotations.end()) {
        names_.push_back(it->second);
        break;
      }
    }
    return verified(chosen);
  }

  std::vector<std::string> carried_names() const override { return names_; }

  void get_blob(const Descriptor& blob, Writer& out) override {
    copy_stream(*open_blob(blob), out);
  }

  // Every blob is read in place, from its member's range of the file.
  std::unique_ptr<Reader> open_blob(const Descriptor& blob) override {
    std::string path = blob_path(blob.digest);
    const TarMember& member = archive_->tar().file(path);
    if (member.size != static_cast<uint64_t>(blob.size)) {
      fail(ErrorKind::kIntegrity, fmt::format("{}: {} holds {} bytes, its descriptor says {}",
                                              file_.string(), path, member.size, blob.size));
    }
    return std::make_unique<MemberBlob>(archive_->tar().open(member), member.size,
                                        file_.string() + ": " + path);
  }

 private:
  static std::string blob_path(const Digest& digest) {
    return fmt::format("blobs/{}/{}", digest.algorithm_name(), digest.hex());
  }

  const Descriptor& chosen_entry(const Index& index) const {
    if (!entry_) return choose_layout_entry(index, ref_, file_.string());
    if (*entry_ >= index.manifests.size()) {
      fail(ErrorKind::kNotFound,
           fmt::format("{}: index.json has no entry {}", file_.string(), *entry_));
    }
    return index.manifests[*entry_];
  }

  RawManifest verified(const Descriptor& desc) {
    std::string bytes = archive_->tar().text(blob_path(desc.digest), registry::kManifestSizeLimit);
    if (Digest::sha256_of(bytes) != desc.digest) {
      fail(ErrorKind::kIntegrity, fmt::format("{}: manifest {} does not match its digest",
                                              file_.string(), desc.digest.str()));
    }
    std::string type = detect_manifest_type(bytes, desc.media_type);
    return RawManifest{.bytes = std::move(bytes), .media_type = std::move(type)};
  }

  fs::path file_;
  std::string ref_;
  std::string name_;
  std::optional<size_t> entry_;
  std::shared_ptr<OpenedArchive> archive_;
  std::vector<std::string> names_;
};

// A blob of a docker-archive: a member of the tar, decompressed when it is compressed.
// `verify`: an uncompressed layer, named by its config's diffID without being read; its reader
// checks that diffID as the bytes pass on to the destination (one read of the layer).
struct ArchiveBlob {
  std::string path;
  Compression compression = Compression::kNone;
  bool verify = false;
};

// An uncompressed docker-archive layer as it is read: exactly its size, hashed on the way, and
// at its end checked against the diffID its config names (before the reader says it ended, so
// the destination never takes a wrong layer for a whole one).
class DiffIdCheckedLayer final : public Reader {
 public:
  DiffIdCheckedLayer(std::unique_ptr<Reader> raw, const Descriptor& blob, std::string file,
                     std::string path)
      : raw_(std::move(raw)),
        limited_(*raw_, static_cast<uint64_t>(blob.size), file + ": " + path),
        hashing_(limited_),
        want_(blob.digest),
        file_(std::move(file)),
        path_(std::move(path)) {}

  size_t read(void* buffer, size_t size) override {
    size_t n = hashing_.read(buffer, size);
    if (n == 0 && size > 0 && !checked_) {
      checked_ = true;
      Digest got = hashing_.finish();
      if (got != want_) {
        fail(ErrorKind::kIntegrity,
             fmt::format("{}: layer {:?} has diffID {}, but the config expects {}", file_, path_,
                         got.str(), want_.str()));
      }
    }
    return n;
  }

 private:
  std::unique_ptr<Reader> raw_;
  LimitedReader limited_;
  HashingReader hashing_;
  Digest want_;
  std::string file_;
  std::string path_;
  bool checked_ = false;
};

class DockerArchiveSource final : public ImageSource {
 public:
  DockerArchiveSource(fs::path file, std::string ref, std::string name)
      : file_(std::move(file)), ref_(std::move(ref)), name_(std::move(name)) {}
  DockerArchiveSource(std::shared_ptr<OpenedArchive> archive, size_t entry, std::string name)
      : file_(archive->file()),
        ref_(fmt::format("@{}", entry)),
        name_(std::move(name)),
        archive_(std::move(archive)) {}

  std::string name() const override { return name_; }

  RawManifest manifest(const std::optional<Digest>& instance) override {
    if (!manifest_) generate();
    if (instance && *instance != Digest::sha256_of(manifest_->bytes)) {
      fail(ErrorKind::kNotFound,
           fmt::format("{}: no manifest {} in a docker-archive", file_.string(), instance->str()));
    }
    return *manifest_;
  }

  std::vector<std::string> carried_names() const override { return names_; }

  void get_blob(const Descriptor& blob, Writer& out) override {
    auto it = found(blob);
    if (it->second.verify) {
      std::unique_ptr<Reader> layer = open_blob(blob);
      copy_exactly(*layer, static_cast<uint64_t>(blob.size), out,
                   file_.string() + ": " + it->second.path);
      return;
    }
    std::unique_ptr<Reader> raw = archive_->tar().open(archive_->tar().file(it->second.path));
    std::string shown = file_.string() + ": " + it->second.path;
    if (it->second.compression == Compression::kNone) {
      copy_exactly(*raw, static_cast<uint64_t>(blob.size), out, shown);
    } else {
      std::unique_ptr<DecompressingReader> plain = decompress(*raw);
      copy_exactly(*plain, static_cast<uint64_t>(blob.size), out, shown);
    }
  }

  // An uncompressed member is read in place: a layer checked as it passes (DiffIdCheckedLayer),
  // the config as it is. A compressed layer is decompressed by get_blob.
  std::unique_ptr<Reader> open_blob(const Descriptor& blob) override {
    auto it = found(blob);
    const TarMember& member = archive_->tar().file(it->second.path);
    if (it->second.verify) {
      return std::make_unique<DiffIdCheckedLayer>(archive_->tar().open(member), blob,
                                                  file_.string(), it->second.path);
    }
    if (it->second.compression != Compression::kNone) return nullptr;
    return std::make_unique<MemberBlob>(archive_->tar().open(member),
                                        static_cast<uint64_t>(blob.size),
                                        file_.string() + ": " + it->second.path);
  }

 private:
  std::map<Digest, ArchiveBlob>::const_iterator found(const Descriptor& blob) const {
    auto it = blobs_.find(blob.digest);
    if (it == blobs_.end()) {
      fail(ErrorKind::kNotFound, fmt::format("{}: no blob {}", file_.string(), blob.digest.str()));
    }
    return it;
  }

  [[noreturn]] void invalid(std::string_view what) const {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: manifest.json: {}", file_.string(), what));
  }

  // The manifest.json entry REF names.
  const json& chosen_entry(const json& items) const {
    if (ref_.empty()) {
      if (items.size() != 1) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("{}: Unexpected tar manifest.json: expected 1 item, got {}",
                         file_.string(), items.size()));
      }
      return items[0];
    }
    if (ref_.starts_with('@')) {
      size_t n = 0;
      auto [end, ec] = std::from_chars(ref_.data() + 1, ref_.data() + ref_.size(), n);
      if (ec != std::errc{} || end != ref_.data() + ref_.size() || ref_.size() == 1) {
        fail(ErrorKind::kInvalidInput, fmt::format("Invalid source index {}", ref_));
      }
      if (n >= items.size()) {
        fail(ErrorKind::kNotFound,
             fmt::format("Invalid source index {}, only {} manifest items available", ref_,
                         items.size()));
      }
      return items[n];
    }
    std::string want = with_context(fmt::format("parsing {:?}", ref_), [&] {
      return Reference::parse(ref_).with_default_tag().str();
    });
    for (const json& item : items) {
      if (!item.is_object() || !item.contains("RepoTags") || !item["RepoTags"].is_array()) continue;
      for (const json& tag : item["RepoTags"]) {
        if (!tag.is_string()) continue;
        auto parsed = Reference::try_parse(tag.get<std::string>());
        if (parsed && parsed->with_default_tag().str() == want) return item;
      }
    }
    fail(ErrorKind::kNotFound, fmt::format("{}: Tag {:?} not found", file_.string(), want));
  }

  // The layer's descriptor: its uncompressed bytes, named by `diff_id`. An uncompressed layer
  // (the usual case: docker save and skopeo write them so) is not read here, only its first
  // bytes: its size is its member's, and its diffID is checked when it is copied. A compressed
  // one is read whole, as containers/image reads it, for its uncompressed size and digest.
  std::pair<Descriptor, ArchiveBlob> layer(const std::string& path, const Digest& diff_id) {
    const TarMember& member = archive_->tar().file(path);
    std::unique_ptr<Reader> raw = archive_->tar().open(member);
    char head[kCompressionMagicSize] = {};
    size_t got = 0;
    while (got < sizeof head) {
      size_t n = raw->read(head + got, sizeof head - got);
      if (n == 0) break;
      got += n;
    }
    if (detect_compression(std::string_view(head, got)) == Compression::kNone) {
      return {Descriptor{.media_type = std::string(media_type::kDockerLayerGzip),
                         .digest = diff_id,
                         .size = static_cast<int64_t>(member.size)},
              ArchiveBlob{.path = path, .verify = true}};
    }
    raw = archive_->tar().open(member);
    std::unique_ptr<DecompressingReader> plain = decompress(*raw);
    HashingWriter hashing;
    uint64_t size = copy_stream(*plain, hashing);
    Descriptor desc{.media_type = std::string(media_type::kDockerLayerGzip),
                    .digest = hashing.finish(),
                    .size = static_cast<int64_t>(size)};
    return {desc, ArchiveBlob{.path = path, .compression = plain->compression()}};
  }

  void generate() {
    if (!archive_) archive_ = std::make_shared<OpenedArchive>(file_, registry::kManifestSizeLimit);
    const json& item = chosen_entry(archive_->docker_manifest());
    if (item.is_object() && item.contains("RepoTags") && item["RepoTags"].is_array()) {
      for (const json& tag : item["RepoTags"]) {
        if (tag.is_string()) names_.push_back(tag.get<std::string>());
      }
    }
    if (!item.is_object() || !item.contains("Config") || !item["Config"].is_string() ||
        !item.contains("Layers") || !item["Layers"].is_array()) {
      invalid("an entry lacks Config or Layers");
    }
    std::string config_path = item["Config"].get<std::string>();
    ImageConfig config = with_context(fmt::format("{}: {}", file_.string(), config_path), [&] {
      return parse_config(archive_->tar().text(config_path, kArchiveConfigLimit));
    });
    if (item["Layers"].size() != config.diff_ids.size()) {
      fail(
          ErrorKind::kInvalidInput,
          fmt::format("{}: image {} lists {} layers but its config has {} diff_ids", file_.string(),
                      config.id.short_hex(), item["Layers"].size(), config.diff_ids.size()));
    }
    std::vector<std::string> paths;
    for (size_t i = 0; i < item["Layers"].size(); ++i) {
      if (!item["Layers"][i].is_string()) invalid(fmt::format("layer {} is not a path", i));
      paths.push_back(item["Layers"][i].get<std::string>());
    }
    // Compressed layers are read from their own ranges of the file: several at once.
    std::vector<std::optional<std::pair<Descriptor, ArchiveBlob>>> hashed(paths.size());
    run_parallel(paths.size(), std::max(1u, std::thread::hardware_concurrency()),
                 [&](size_t i, const std::atomic<bool>&) {
                   hashed[i] = layer(paths[i], config.diff_ids[i]);
                 });
    std::vector<Descriptor> layers;
    for (size_t i = 0; i < paths.size(); ++i) {
      auto& [desc, blob] = *hashed[i];
      if (desc.digest != config.diff_ids[i]) {
        fail(ErrorKind::kIntegrity,
             fmt::format("{}: layer {:?} has diffID {}, but the config expects {}", file_.string(),
                         paths[i], desc.digest.str(), config.diff_ids[i].str()));
      }
      blobs_[desc.digest] = std::move(blob);
      layers.push_back(std::move(desc));
    }
    blobs_[config.id] = ArchiveBlob{.path = config_path};
    Descriptor config_desc{.media_type = std::string(media_type::kDockerConfig),
                           .digest = config.id,
                           .size = static_cast<int64_t>(config.raw.size())};
    manifest_ = RawManifest{.bytes = serialize_docker_manifest(config_desc, layers),
                            .media_type = std::string(media_type::kDockerManifest)};
  }

  fs::path file_;
  std::string ref_;
  std::string name_;
  std::shared_ptr<OpenedArchive> archive_;
  std::optional<RawManifest> manifest_;
  std::map<Digest, ArchiveBlob> blobs_;
  std::vector<std::string> names_;
};

}  // namespace

OpenedArchive::OpenedArchive(fs::path file, size_t json_limit)
    : file_(std::move(file)), json_limit_(json_limit), tar_(file_, file_.string()) {}

const json& OpenedArchive::docker_manifest() {
  if (docker_manifest_) return *docker_manifest_;
  json items = json::parse(tar_.text("manifest.json", json_limit_), nullptr, false);
  auto invalid = [&](std::string_view what) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: manifest.json: {}", file_.string(), what));
  };
  if (items.is_discarded()) invalid("invalid JSON");
  if (!items.is_array() || items.empty()) invalid("expected a non-empty array of images");
  docker_manifest_ = std::move(items);
  return *docker_manifest_;
}

const Index& OpenedArchive::oci_index() {
  if (!oci_index_) {
    oci_index_ = with_context("reading index.json",
                              [&] { return parse_index(tar_.text("index.json", json_limit_)); });
  }
  return *oci_index_;
}

std::unique_ptr<ImageSource> oci_archive_source(const fs::path& file, const std::string& ref,
                                                const std::string& name) {
  return std::make_unique<OciArchiveSource>(file, ref, name);
}

std::unique_ptr<ImageSource> oci_archive_entry_source(std::shared_ptr<OpenedArchive> archive,
                                                      size_t entry, const std::string& name) {
  return std::make_unique<OciArchiveSource>(std::move(archive), entry, name);
}

std::unique_ptr<ImageSource> docker_archive_entry_source(std::shared_ptr<OpenedArchive> archive,
                                                         size_t entry, const std::string& name) {
  return std::make_unique<DockerArchiveSource>(std::move(archive), entry, name);
}

std::unique_ptr<ImageSource> docker_archive_source(const fs::path& file, const std::string& ref,
                                                   const std::string& name) {
  return std::make_unique<DockerArchiveSource>(file, ref, name);
}

}  // namespace schicht::copy
