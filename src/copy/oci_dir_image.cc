#include "copy/oci_dir_image.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>

#include <fmt/format.h>

#include "core/error.h"
#include "core/media_type.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "registry/registry_client.h"

namespace schicht::copy {
namespace {

constexpr std::string_view kRefName = "org.opencontainers.image.ref.name";

// openat2 with RESOLVE_BENEATH: `path` (relative) cannot resolve outside `dir`.
UniqueFd open_beneath(int dir, const std::string& path, const fs::path& shown, int flags,
                      mode_t mode = 0) {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) != 0 ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, dir, path.c_str(), &how, sizeof how);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno == EXDEV) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: leads out of the layout directory", (shown / path).string()));
  }
  if (fd < 0) fail_errno("open", (shown / path).string());
  return UniqueFd(static_cast<int>(fd));
}

std::string blob_path(const Digest& digest) {
  return fmt::format("blobs/{}/{}", digest.algorithm_name(), digest.hex());
}

std::string read_beneath(int dir, const std::string& path, const fs::path& shown) {
  UniqueFd fd = open_beneath(dir, path, shown, O_RDONLY);
  FdReader reader(fd.get(), (shown / path).string());
  return read_all(reader, registry::kManifestSizeLimit, (shown / path).string());
}

UniqueFd open_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_errno("open", dir.string());
  return UniqueFd(fd);
}

RawManifest verified_manifest(int dir, const fs::path& shown, const Descriptor& desc) {
  std::string bytes = read_beneath(dir, blob_path(desc.digest), shown);
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
      return parse_index(read_beneath(dir_.get(), "index.json", dir_path_));
    });
    const Descriptor* chosen = nullptr;
    for (const Descriptor& entry : index.manifests) {
      auto it = entry.annotations.find(std::string(kRefName));
      if (ref_.empty() || (it != entry.annotations.end() && it->second == ref_)) {
        if (ref_.empty() && chosen != nullptr) {
          fail(ErrorKind::kInvalidInput,
               fmt::format("{}: more than one image in oci, choose an image", name_));
        }
        chosen = &entry;
        if (!ref_.empty()) break;
      }
    }
    if (chosen == nullptr) {
      fail(ErrorKind::kNotFound,
           ref_.empty() ? fmt::format("{}: no image in index.json", name_)
                        : fmt::format("{}: no descriptor found for reference {:?}", name_, ref_));
    }
    return verified_manifest(dir_.get(), dir_path_, *chosen);
  }

  void get_blob(const Descriptor& blob, Writer& out) override {
    UniqueFd fd = open_beneath(dir_.get(), blob_path(blob.digest), dir_path_, O_RDONLY);
    std::string shown = (dir_path_ / blob_path(blob.digest)).string();
    FdReader reader(fd.get(), shown);
    LimitedReader limited(reader, static_cast<uint64_t>(blob.size), shown);
    if (copy_stream(limited, out) != static_cast<uint64_t>(blob.size)) {
      fail(ErrorKind::kIntegrity, fmt::format("{}: shorter than its descriptor's size", shown));
    }
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
      fd = open_beneath(dir_.get(), blob_path(blob.digest), dir_path_, O_RDONLY);
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

  void commit() override {
    if (!top_) fail(ErrorKind::kInternal, name_ + ": commit without a manifest");
    std::vector<Descriptor> manifests;
    std::map<std::string, std::string> annotations;
    if (::faccessat(dir_.get(), "index.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
      Index old = with_context(name_ + ": reading index.json", [&] {
        return parse_index(read_beneath(dir_.get(), "index.json", dir_path_));
      });
      annotations = old.annotations;
      for (Descriptor& entry : old.manifests) {
        auto it = entry.annotations.find(std::string(kRefName));
        bool same_ref = !ref_.empty() && it != entry.annotations.end() && it->second == ref_;
        if (!same_ref) manifests.push_back(std::move(entry));
      }
    }
    manifests.push_back(*top_);
    write_file("index.json", serialize_oci_index(manifests, annotations, MediaTypeField::kAbsent));
  }

 private:
  // Called by the blob threads at once: the first one opens (and makes) the layout.
  void open() {
    std::lock_guard lock(open_mutex_);
    if (dir_) return;
    make_dirs(dir_path_);
    dir_ = open_dir(dir_path_);
    if (::faccessat(dir_.get(), "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) != 0) {
      write_file("oci-layout", R"({"imageLayoutVersion": "1.0.0"})");
    }
  }

  // Each directory is made inside its parent opened beneath DIR, so that no symlink met on the
  // way is followed out of it.
  void make_beneath(const std::string& path) {
    size_t start = 0;
    while (true) {
      size_t slash = path.find('/', start);
      std::string parent = start == 0 ? std::string(".") : path.substr(0, start - 1);
      std::string part = path.substr(start, slash == std::string::npos ? slash : slash - start);
      UniqueFd at = open_beneath(dir_.get(), parent, dir_path_, O_RDONLY | O_DIRECTORY);
      if (::mkdirat(at.get(), part.c_str(), 0755) != 0 && errno != EEXIST) {
        fail_errno("mkdir", (dir_path_ / path.substr(0, slash)).string());
      }
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    open_beneath(dir_.get(), path, dir_path_, O_RDONLY | O_DIRECTORY);
  }

  // Temp file beside the target, fsync, rename: nothing half-written gets a final name.
  void write_stream(const std::string& dir, const std::string& file, uint64_t size, Reader& data,
                    const std::optional<Digest>& digest) {
    static std::atomic<uint64_t> counter{0};
    std::string temp = fmt::format("{}/.tmp-{}-{}-{}", dir, file, ::getpid(), counter++);
    std::string shown = (dir_path_ / dir / file).string();
    UniqueFd fd = open_beneath(dir_.get(), temp, dir_path_, O_WRONLY | O_CREAT | O_EXCL, 0644);
    try {
      FdWriter writer(fd.get(), shown);
      HashingWriter hashing(&writer);
      LimitedReader limited(data, size, shown);
      if (copy_stream(limited, hashing) != size) {
        fail(ErrorKind::kIntegrity, fmt::format("{}: source ended early", shown));
      }
      if (digest && hashing.finish() != *digest) {
        fail(ErrorKind::kIntegrity,
             fmt::format("{}: the bytes do not match digest {}", shown, digest->str()));
      }
      fsync_fd(fd.get(), shown);
      std::string target = dir + "/" + file;
      if (dir == ".") target = file;
      if (::renameat(dir_.get(), temp.c_str(), dir_.get(), target.c_str()) != 0) {
        fail_errno("rename", shown);
      }
    } catch (...) {
      ::unlinkat(dir_.get(), temp.c_str(), 0);
      throw;
    }
  }

  void write_blob(const Digest& digest, uint64_t size, Reader& data) {
    std::string dir = fmt::format("blobs/{}", digest.algorithm_name());
    make_beneath(dir);
    write_stream(dir, std::string(digest.hex()), size, data, digest);
  }

  void write_file(const std::string& file, std::string_view bytes) {
    StringReader reader(bytes);
    write_stream(".", file, bytes.size(), reader, std::nullopt);
  }

  fs::path dir_path_;
  std::string ref_;
  std::string name_;
  std::mutex open_mutex_;
  UniqueFd dir_;
  std::optional<Descriptor> top_;
};

}  // namespace

std::unique_ptr<ImageSource> oci_dir_source(const fs::path& dir, const std::string& ref,
                                            const std::string& name) {
  return std::make_unique<OciDirSource>(dir, ref, name);
}

std::unique_ptr<ImageDestination> oci_dir_destination(const fs::path& dir, const std::string& ref,
                                                      const std::string& name) {
  return std::make_unique<OciDirDestination>(dir, ref, name);
}

}  // namespace schicht::copy
