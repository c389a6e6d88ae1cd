// oci-archive: and docker-archive: destinations: one tar written in one pass (archive_image.h).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "archive/compression.h"
#include "archive/tar_writer.h"
#include "copy/archive_image.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/media_type.h"
#include "core/reference.h"
#include "oci/index.h"
#include "oci/manifest.h"

namespace schicht::copy {
namespace {

// PATH.tmp-* beside PATH, renamed over it by commit(); removed when abandoned. A device or a
// FIFO (-o /dev/null, a pipe) is written to in place instead: renaming over it would replace it.
class ArchiveFile {
 public:
  explicit ArchiveFile(fs::path target) : target_(std::move(target)) {
    static std::atomic<uint64_t> counter{0};
    in_place_ = is_special_file(target_);
    temp_ = target_;
    if (!in_place_) temp_ += fmt::format(".tmp-{}-{}", ::getpid(), counter++);
    int flags = in_place_ ? O_WRONLY | O_CLOEXEC : O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
    int fd = ::open(temp_.c_str(), flags, 0644);
    if (fd < 0) fail_errno(in_place_ ? "open" : "create", temp_.string());
    fd_ = UniqueFd(fd);
    out_.emplace(fd, target_.string());
    tar_.emplace(*out_);
  }
  ~ArchiveFile() {
    if (!committed_ && !in_place_) ::unlink(temp_.c_str());
  }
  ArchiveFile(const ArchiveFile&) = delete;
  ArchiveFile& operator=(const ArchiveFile&) = delete;

  TarWriter& tar() { return *tar_; }

  void commit() {
    tar_->finish();
    if (in_place_) {
      committed_ = true;
      return;
    }
    fsync_fd(fd_.get(), target_.string());
    if (::rename(temp_.c_str(), target_.c_str()) != 0) fail_errno("rename to", target_.string());
    committed_ = true;
    fs::path parent = target_.parent_path();
    fsync_dir(parent.empty() ? fs::path(".") : parent);
  }

 private:
  fs::path target_;
  fs::path temp_;
  UniqueFd fd_;
  std::optional<FdWriter> out_;
  std::optional<TarWriter> tar_;
  bool in_place_ = false;
  bool committed_ = false;
};

// The blob bookkeeping both archive destinations share: one writer at a time, each digest once,
// the bytes verified as they are written unless the source's were already (a mismatch spoils
// the archive, which is then never committed).
class ArchiveDestination : public ImageDestination {
 public:
  ArchiveDestination(const fs::path& file, std::string ref, std::string name, bool verify)
      : file_(file), ref_(std::move(ref)), name_(std::move(name)), verify_(verify) {}

  std::string name() const override { return name_; }

  bool try_reuse(const Descriptor& blob, const ImageSource&) override {
    std::lock_guard lock(mutex_);
    return written_.contains(blob.digest);
  }

  void put_blob(const Descriptor& blob, Reader& data) override {
    std::lock_guard lock(mutex_);
    add_blob(blob, data);
  }

 protected:
  // Path of the blob's entry in the tar.
  virtual std::string entry_path(const Descriptor& blob) = 0;

  void add_blob(const Descriptor& blob, Reader& data) {
    if (written_.contains(blob.digest)) {
      NullWriter sink;
      copy_stream(data, sink);
      return;
    }
    // A blob thread that comes after a failed one fails with the same error: it is what broke
    // the copy, whichever thread's error is reported first.
    if (spoiled_by_) std::rethrow_exception(spoiled_by_);
    try {
      if (!verify_) {
        file_.tar().add_file(entry_path(blob), static_cast<uint64_t>(blob.size), data, 0444, 0);
        written_.insert(blob.digest);
        return;
      }
      HashingWriter hashing;
      TeeReader tee(data, hashing);
      file_.tar().add_file(entry_path(blob), static_cast<uint64_t>(blob.size), tee, 0444, 0);
      if (hashing.finish() != blob.digest) {
        fail(ErrorKind::kIntegrity, fmt::format("{}: blob {}: the bytes do not match the digest",
                                                name_, blob.digest.str()));
      }
    } catch (...) {
      spoiled_by_ = std::current_exception();
      throw;
    }
    written_.insert(blob.digest);
  }

  void add_text(const std::string& path, std::string_view bytes) {
    file_.tar().add_file(path, bytes, 0444, 0);
  }

  void finish() {
    if (spoiled_by_) fail(ErrorKind::kInternal, name_ + ": commit after a failed blob");
    file_.commit();
  }

  std::mutex mutex_;
  ArchiveFile file_;
  std::string ref_;
  std::string name_;
  bool verify_;
  std::set<Digest> written_;
  std::exception_ptr spoiled_by_;
};

class OciArchiveDestination final : public ArchiveDestination {
 public:
  using ArchiveDestination::ArchiveDestination;

  bool accepts_index() const override { return true; }
  std::vector<std::string> manifest_types() const override {
    return {std::string(media_type::kOciManifest), std::string(media_type::kOciIndex)};
  }

  void put_manifest(std::string_view bytes, std::string_view media_type, bool top) override {
    std::lock_guard lock(mutex_);
    Descriptor desc{.media_type = std::string(media_type),
                    .digest = Digest::sha256_of(bytes),
                    .size = static_cast<int64_t>(bytes.size())};
    StringReader reader(bytes);
    add_blob(desc, reader);
    if (top) {
      if (!ref_.empty()) desc.annotations["org.opencontainers.image.ref.name"] = ref_;
      top_ = std::move(desc);
    }
  }

  void add_layout_entry(const Descriptor& entry) override {
    std::lock_guard lock(mutex_);
    extra_.push_back(entry);
  }

  void commit() override {
    std::lock_guard lock(mutex_);
    if (!top_) fail(ErrorKind::kInternal, name_ + ": commit without a manifest");
    std::vector<Descriptor> entries{*top_};
    entries.insert(entries.end(), extra_.begin(), extra_.end());
    add_text("index.json", serialize_oci_index(entries, {}, MediaTypeField::kAbsent));
    add_text("oci-layout", R"({"imageLayoutVersion": "1.0.0"})");
    finish();
  }

 private:
  std::string entry_path(const Descriptor& blob) override {
    std::string dir = fmt::format("blobs/{}", blob.digest.algorithm_name());
    if (dirs_.insert(dir).second) {
      if (dirs_.size() == 1) file_.tar().add_directory("blobs");
      file_.tar().add_directory(dir);
    }
    return fmt::format("{}/{}", dir, blob.digest.hex());
  }

  std::set<std::string> dirs_;
  std::optional<Descriptor> top_;
  std::vector<Descriptor> extra_;
};

// The tar of a docker-archive, with the manifest.json entries of the images added to it.
class DockerArchiveFile final : public ArchiveDestination {
 public:
  DockerArchiveFile(const fs::path& file, std::string name, bool verify)
      : ArchiveDestination(file, "", std::move(name), verify) {}

  bool accepts_index() const override { return false; }

  // A layer goes uncompressed, named by its diffID, as skopeo and podman write it (and as
  // `docker save` does): a compressed one is decompressed into a temp file first, since a tar
  // entry needs its size before its bytes.
  void put_blob(const Descriptor& blob, Reader& data) override {
    if (blob.media_type == media_type::kDockerConfig || blob.media_type == media_type::kOciConfig) {
      ArchiveDestination::put_blob(blob, data);
      return;
    }
    std::lock_guard lock(mutex_);
    if (written_.contains(blob.digest) || spoiled_by_) {
      add_blob(blob, data);  // drains it, or fails as the blob that spoiled the archive did
      return;
    }
    try {
      HashingWriter packed;  // the blob as it came, whose digest is checked
      TeeReader tee(data, packed);
      Reader& in = verify_ ? static_cast<Reader&>(tee) : data;
      std::unique_ptr<DecompressingReader> plain = decompress(in);
      Digest diff_id = blob.digest;
      if (plain->compression() == Compression::kNone) {
        add_layer_file(diff_id, static_cast<uint64_t>(blob.size), *plain);
      } else {
        fs::path dir = temp_root();
        int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0) fail_errno("create a temp file in", dir.string());
        UniqueFd file(fd);
        FdWriter out(file.get(), dir.string());
        HashingWriter unpacked(&out);
        copy_stream(*plain, unpacked);
        diff_id = unpacked.finish();
        if (::lseek(file.get(), 0, SEEK_SET) != 0) fail_errno("seek", dir.string());
        FdReader layer(file.get(), dir.string());
        add_layer_file(diff_id, unpacked.count(), layer);
      }
      NullWriter rest;  // the end of the stream, hashed too
      copy_stream(in, rest);
      if (verify_ && packed.finish() != blob.digest) {
        fail(ErrorKind::kIntegrity, fmt::format("{}: blob {}: the bytes do not match the digest",
                                                name_, blob.digest.str()));
      }
      diff_ids_.insert_or_assign(blob.digest, diff_id);
    } catch (...) {
      spoiled_by_ = std::current_exception();
      throw;
    }
    written_.insert(blob.digest);
  }

  void put_manifest(std::string_view, std::string_view, bool) override {
    fail(ErrorKind::kInternal, name_ + ": a docker-archive takes manifests per image");
  }

  // One more entry: RepoTags `tags`, each also in the repositories file (skopeo's format).
  void add_image(const Manifest& manifest, const std::vector<Reference>& tags) {
    std::lock_guard lock(mutex_);
    nlohmann::json layers = nlohmann::json::array();
    for (const Descriptor& layer : manifest.layers) {
      layers.push_back(layer_path(diff_id_of(layer.digest)));
    }
    nlohmann::json names = nlohmann::json::array();
    for (const Reference& tag : tags) {
      names.push_back(tag.str());
      if (!manifest.layers.empty()) {
        repositories_[tag.name()][tag.tag] = diff_id_of(manifest.layers.back().digest).hex();
      }
    }
    // skopeo's member order: Config, RepoTags, Layers.
    entries_.push_back(
        {{"Config", config_path(manifest.config.digest)}, {"RepoTags", names}, {"Layers", layers}});
  }

  void commit() override {
    std::lock_guard lock(mutex_);
    if (entries_.empty()) fail(ErrorKind::kInternal, name_ + ": commit without an image");
    add_text("manifest.json", entries_.dump());
    add_text("repositories", repositories_.dump());
    finish();
  }

 private:
  static std::string config_path(const Digest& digest) {
    return std::string(digest.hex()) + ".json";
  }
  static std::string layer_path(const Digest& digest) { return std::string(digest.hex()) + ".tar"; }

  std::string entry_path(const Descriptor& blob) override { return config_path(blob.digest); }

  // <diffID>.tar, once however many blobs decompress to it.
  void add_layer_file(const Digest& diff_id, uint64_t size, Reader& data) {
    if (!layer_files_.insert(diff_id).second) {
      NullWriter sink;
      copy_stream(data, sink);
      return;
    }
    file_.tar().add_file(layer_path(diff_id), size, data, 0444, 0);
  }

  Digest diff_id_of(const Digest& blob) const {
    auto found = diff_ids_.find(blob);
    return found == diff_ids_.end() ? blob : found->second;
  }

  std::map<Digest, Digest> diff_ids_;  // layer blob -> the diffID it was written as
  std::set<Digest> layer_files_;
  nlohmann::ordered_json entries_ = nlohmann::ordered_json::array();
  nlohmann::json repositories_ = nlohmann::json::object();
};

// One image of a docker-archive: its blobs go to the shared file, its entry when committed
// (and the file too, when the archive holds this image alone).
class DockerArchiveImage final : public ImageDestination {
 public:
  DockerArchiveImage(std::shared_ptr<DockerArchiveFile> file, std::vector<Reference> tags,
                     bool commits_file)
      : file_(std::move(file)), tags_(std::move(tags)), commits_file_(commits_file) {}

  std::string name() const override { return file_->name(); }
  bool accepts_index() const override { return false; }
  std::vector<std::string> manifest_types() const override {
    return {std::string(media_type::kDockerManifest), std::string(media_type::kOciManifest)};
  }
  bool keeps_manifests() const override { return false; }
  bool try_reuse(const Descriptor& blob, const ImageSource& source) override {
    return file_->try_reuse(blob, source);
  }
  void put_blob(const Descriptor& blob, Reader& data) override { file_->put_blob(blob, data); }

  void put_manifest(std::string_view bytes, std::string_view media_type, bool top) override {
    if (!top) {
      fail(ErrorKind::kUnsupported, file_->name() + ": a docker-archive holds no manifest list");
    }
    manifest_ = with_context(file_->name() + ": reading the manifest",
                             [&] { return parse_manifest(std::string(bytes), media_type); });
  }

  void commit() override {
    if (!manifest_) fail(ErrorKind::kInternal, file_->name() + ": commit without a manifest");
    file_->add_image(*manifest_, tags_);
    if (commits_file_) file_->commit();
  }

 private:
  std::shared_ptr<DockerArchiveFile> file_;
  std::vector<Reference> tags_;
  bool commits_file_;
  std::optional<Manifest> manifest_;
};

// As skopeo: the full name with its tag ("docker.io/library/app:1"); a digest is refused.
Reference archive_tag(const std::string& text, const std::string& name) {
  Reference reference = with_context(fmt::format("{}: parsing {:?}", name, text),
                                     [&] { return Reference::parse(text).with_default_tag(); });
  if (reference.digest) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: docker-archive reference {:?} must be a name:tag", name, text));
  }
  return reference;
}

class MultiImageWriter final : public DockerArchiveWriter {
 public:
  MultiImageWriter(const fs::path& file, const std::string& name, bool verify)
      : file_(std::make_shared<DockerArchiveFile>(file, name, verify)) {}
  std::unique_ptr<ImageDestination> image(const std::vector<std::string>& tags) override {
    std::vector<Reference> parsed;
    for (const std::string& tag : tags) {
      Reference reference = archive_tag(tag, file_->name());
      bool listed = std::any_of(parsed.begin(), parsed.end(),
                                [&](const Reference& r) { return r.str() == reference.str(); });
      if (!listed) parsed.push_back(std::move(reference));
    }
    return std::make_unique<DockerArchiveImage>(file_, std::move(parsed), false);
  }
  void commit() override { file_->commit(); }

 private:
  std::shared_ptr<DockerArchiveFile> file_;
};

}  // namespace

std::unique_ptr<ImageDestination> oci_archive_destination(const fs::path& file,
                                                          const std::string& ref,
                                                          const std::string& name, bool verify) {
  return std::make_unique<OciArchiveDestination>(file, ref, name, verify);
}

std::unique_ptr<ImageDestination> docker_archive_destination(const fs::path& file,
                                                             const std::string& ref,
                                                             const std::string& name) {
  std::vector<Reference> tags;
  if (!ref.empty()) tags.push_back(archive_tag(ref, name));
  return std::make_unique<DockerArchiveImage>(std::make_shared<DockerArchiveFile>(file, name, true),
                                              std::move(tags), true);
}

std::unique_ptr<DockerArchiveWriter> docker_archive_writer(const fs::path& file,
                                                           const std::string& name, bool verify) {
  return std::make_unique<MultiImageWriter>(file, name, verify);
}

}  // namespace schicht::copy
