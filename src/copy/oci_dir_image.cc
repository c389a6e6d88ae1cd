#include "copy/oci_dir_image.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mutex>

#include <fmt/format.h>

#include "copy/beneath.h"
#include "core/error.h"
#include "core/media_type.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "registry/registry_client.h"

namespace schicht::copy {
namespace {

constexpr std::string_view kRefName = "org.opencontainers.image.ref.name";

std::string blob_path(const Digest& digest) {
  return fmt::format("blobs/{}/{}", digest.algorithm_name(), digest.hex());
}

RawManifest verified_manifest(int dir, const fs::path& shown, const Descriptor& desc) {
  std::string bytes =
      read_beneath(dir, blob_path(desc.digest), shown, registry::kManifestSizeLimit);
  if (Digest::sha256_of(bytes) != desc.digest) {
    fail(ErrorKind::kIntegrity, fmt::format("{}: manifest {} does not match its digest",
                                            shown.string(), desc.digest.str()));
  }
  std::string type = detect_manifest_type(bytes, desc.media_type);
  return RawManifest{.bytes = std::move(bytes), .media_type = std::move(type)};
}

class OciDirSource final : public ImageSource {
 public:
  OciDirSource(fs::path dir, std::string ref, std::string name)
      : dir_path_(std::move(dir)), ref_(std::move(ref)), name_(std::move(name)) {}

  std::string name() const override { return name_; }

  RawManifest manifest(const std::optional<Digest>& instance) override {
    if (!dir_) dir_ = open_dir(dir_path_);
    if (instance) return verified_manifest(dir_.get(), dir_path_, Descriptor{.digest = *instance});
    Index index = with_context(name_ + ": reading index.json", [&] {
      return parse_index(
          read_beneath(dir_.get(), "index.json", dir_path_, registry::kManifestSizeLimit));
    });
    return verified_manifest(dir_.get(), dir_path_, choose_layout_entry(index, ref_, name_));
  }

  void get_blob(const Descriptor& blob, Writer& out) override {
    copy_beneath(dir_.get(), blob_path(blob.digest), dir_path_, static_cast<uint64_t>(blob.size),
                 out);
  }

 private:
  fs::path dir_path_;
  std::string ref_;
  std::string name_;
  UniqueFd dir_;
};

class OciDirDestination final : public ImageDestination {
 public:
  OciDirDestination(fs::path dir, std::string ref, std::string name)
      : dir_path_(std::move(dir)), ref_(std::move(ref)), name_(std::move(name)) {}
  ~OciDirDestination() override {
    if (!dir_ || committed_) return;
    created_.undo(dir_.get());
    if (made_dir_) ::rmdir(dir_path_.c_str());
  }

  std::string name() const override { return name_; }
  bool accepts_index() const override { return true; }
  std::vector<std::string> manifest_types() const override {
    // What containers/image's oci destination stores; a Docker manifest would need converting.
    return {std::string(media_type::kOciManifest), std::string(media_type::kOciIndex)};
  }

  bool try_reuse(const Descriptor& blob, const ImageSource&) override {
    open();
    struct stat st {};
    UniqueFd fd;
    try {
      fd = open_beneath(dir_.get(), blob_path(blob.digest), dir_path_, O_PATH);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kNotFound) return false;
      throw;
    }
    if (::fstat(fd.get(), &st) != 0) fail_errno("stat", blob_path(blob.digest));
    return S_ISREG(st.st_mode) && st.st_size == blob.size;
  }

  void put_blob(const Descriptor& blob, Reader& data) override {
    open();
    write_blob(blob.digest, static_cast<uint64_t>(blob.size), data);
  }

  void put_manifest(std::string_view bytes, std::string_view media_type, bool top) override {
    open();
    Digest digest = Digest::sha256_of(bytes);
    StringReader reader(bytes);
    write_blob(digest, bytes.size(), reader);
    if (top) {
      top_ = Descriptor{.media_type = std::string(media_type),
                        .digest = digest,
                        .size = static_cast<int64_t>(bytes.size())};
      if (!ref_.empty()) top_->annotations[std::string(kRefName)] = ref_;
    }
  }

  void add_layout_entry(const Descriptor& entry) override { extra_.push_back(entry); }

  void commit() override {
    if (!top_) fail(ErrorKind::kInternal, name_ + ": commit without a manifest");
    std::vector<Descriptor> manifests;
    std::map<std::string, std::string> annotations;
    if (::faccessat(dir_.get(), "index.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
      Index old = with_context(name_ + ": reading index.json", [&] {
        return parse_index(
            read_beneath(dir_.get(), "index.json", dir_path_, registry::kManifestSizeLimit));
      });
      annotations = old.annotations;
      for (Descriptor& entry : old.manifests) {
        auto it = entry.annotations.find(std::string(kRefName));
        bool same_ref = !ref_.empty() && it != entry.annotations.end() && it->second == ref_;
        if (!same_ref) manifests.push_back(std::move(entry));
      }
    }
    manifests.push_back(*top_);
    for (const Descriptor& entry : extra_) {
      std::erase_if(manifests, [&](const Descriptor& d) { return d.digest == entry.digest; });
      manifests.push_back(entry);
    }
    write_file("index.json", serialize_oci_index(manifests, annotations, MediaTypeField::kAbsent));
    committed_ = true;
  }

 private:
  // Called by the blob threads at once: the first one opens (and makes) the layout.
  void open() {
    std::lock_guard lock(open_mutex_);
    if (dir_) return;
    made_dir_ = !fs::exists(dir_path_);
    make_dirs(dir_path_);
    dir_ = open_dir(dir_path_);
    if (CreatedBeneath::absent(dir_.get(), "oci-layout")) {
      write_file("oci-layout", R"({"imageLayoutVersion": "1.0.0"})");
      created_.add("oci-layout");
    }
  }

  void write_blob(const Digest& digest, uint64_t size, Reader& data) {
    std::string dir = fmt::format("blobs/{}", digest.algorithm_name());
    {
      // Blob threads make blobs/ALG at once: one records it.
      std::lock_guard lock(open_mutex_);
      bool new_blobs = CreatedBeneath::absent(dir_.get(), "blobs");
      bool new_dir = CreatedBeneath::absent(dir_.get(), dir);
      make_beneath(dir_.get(), dir, dir_path_);
      if (new_blobs) created_.add("blobs");
      if (new_dir) created_.add(dir);
    }
    std::string path = dir + "/" + std::string(digest.hex());
    bool is_new = CreatedBeneath::absent(dir_.get(), path);
    write_beneath(dir_.get(), dir_path_, dir, std::string(digest.hex()), size, data, digest);
    if (is_new) created_.add(path);
  }

  void write_file(const std::string& file, std::string_view bytes) {
    StringReader reader(bytes);
    write_beneath(dir_.get(), dir_path_, ".", file, bytes.size(), reader, std::nullopt);
  }

  fs::path dir_path_;
  std::string ref_;
  std::string name_;
  std::mutex open_mutex_;
  UniqueFd dir_;
  std::optional<Descriptor> top_;
  std::vector<Descriptor> extra_;
  // Undone when destroyed before commit(): the layout is left as it was found.
  CreatedBeneath created_;
  bool made_dir_ = false;
  bool committed_ = false;
};

}  // namespace

const Descriptor& choose_layout_entry(const Index& index, const std::string& ref,
                                      const std::string& name) {
  const Descriptor* chosen = nullptr;
  for (const Descriptor& entry : index.manifests) {
    auto it = entry.annotations.find(std::string(kRefName));
    // Without REF an entry with an artifactType is a referrer saved beside the image, not a
    // candidate (save --referrers writes them so).
    if (ref.empty() && !entry.artifact_type.empty()) continue;
    if (ref.empty() || (it != entry.annotations.end() && it->second == ref)) {
      if (ref.empty() && chosen != nullptr) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("{}: more than one image in oci, choose an image", name));
      }
      chosen = &entry;
      if (!ref.empty()) break;
    }
  }
  if (chosen == nullptr) {
    fail(ErrorKind::kNotFound,
         ref.empty() ? fmt::format("{}: no image in index.json", name)
                     : fmt::format("{}: no descriptor found for reference {:?}", name, ref));
  }
  return *chosen;
}

Index layout_index(const fs::path& dir, const std::string& name) {
  UniqueFd fd = open_dir(dir);
  return with_context(name + ": reading index.json", [&] {
    return parse_index(read_beneath(fd.get(), "index.json", dir, registry::kManifestSizeLimit));
  });
}

std::unique_ptr<ImageSource> oci_dir_source(const fs::path& dir, const std::string& ref,
                                            const std::string& name) {
  return std::make_unique<OciDirSource>(dir, ref, name);
}

std::unique_ptr<ImageDestination> oci_dir_destination(const fs::path& dir, const std::string& ref,
                                                      const std::string& name) {
  return std::make_unique<OciDirDestination>(dir, ref, name);
}

}  // namespace schicht::copy
