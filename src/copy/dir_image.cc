#include "copy/dir_image.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "copy/beneath.h"
#include "core/error.h"
#include "oci/manifest.h"
#include "registry/registry_client.h"

namespace schicht::copy {
namespace {

constexpr std::string_view kVersion = "Directory Transport Version: 1.1\n";

// A signature is a small signed message; this bounds what a hostile layout can make us read.
constexpr size_t kSignatureSizeLimit = size_t{4} << 20;

std::string signature_file(size_t n) {
  return "signature-" + std::to_string(n);
}

std::string instance_path(const Digest& digest) {
  return std::string(digest.hex()) + ".manifest.json";
}

class DirSource final : public ImageSource {
 public:
  DirSource(fs::path dir, std::string name) : dir_path_(std::move(dir)), name_(std::move(name)) {}

  std::string name() const override { return name_; }

  RawManifest manifest(const std::optional<Digest>& instance) override {
    if (!dir_) dir_ = open_dir(dir_path_);
    std::string path = instance ? instance_path(*instance) : std::string("manifest.json");
    std::string bytes = read_beneath(dir_.get(), path, dir_path_, registry::kManifestSizeLimit);
    if (instance && Digest::sha256_of(bytes) != *instance) {
      fail(ErrorKind::kIntegrity,
           fmt::format("{}: manifest {} does not match its digest", name_, instance->str()));
    }
    std::string type = detect_manifest_type(bytes);
    return RawManifest{.bytes = std::move(bytes), .media_type = std::move(type)};
  }

  void get_blob(const Descriptor& blob, Writer& out) override {
    copy_beneath(dir_.get(), std::string(blob.digest.hex()), dir_path_,
                 static_cast<uint64_t>(blob.size), out);
  }

 private:
  fs::path dir_path_;
  std::string name_;
  UniqueFd dir_;
};

class DirDestination final : public ImageDestination {
 public:
  DirDestination(fs::path dir, std::string name)
      : dir_path_(std::move(dir)), name_(std::move(name)) {}
  ~DirDestination() override {
    if (!dir_ || committed_) return;
    created_.undo(dir_.get());
    if (made_dir_) ::rmdir(dir_path_.c_str());
  }

  std::string name() const override { return name_; }
  bool accepts_index() const override { return true; }

  bool try_reuse(const Descriptor& blob, const ImageSource&) override {
    open();
    struct stat st {};
    if (::fstatat(dir_.get(), std::string(blob.digest.hex()).c_str(), &st, AT_SYMLINK_NOFOLLOW) !=
        0) {
      return false;
    }
    if (!S_ISREG(st.st_mode) || st.st_size != blob.size) return false;
    std::lock_guard lock(open_mutex_);
    written_.insert(std::string(blob.digest.hex()));  // part of the new image: kept at commit
    return true;
  }

  void put_blob(const Descriptor& blob, Reader& data) override {
    open();
    write_file(std::string(blob.digest.hex()), static_cast<uint64_t>(blob.size), data, blob.digest);
  }

  void put_manifest(std::string_view bytes, std::string_view, bool top) override {
    open();
    if (top) {
      top_ = std::string(bytes);
      return;
    }
    StringReader reader(bytes);
    Digest digest = Digest::sha256_of(bytes);
    write_file(instance_path(digest), bytes.size(), reader, digest);
  }

  void commit() override {
    if (!top_) fail(ErrorKind::kInternal, name_ + ": commit without a manifest");
    StringReader manifest(*top_);
    write_beneath(dir_.get(), dir_path_, ".", "manifest.json", top_->size(), manifest,
                  std::nullopt);
    StringReader version(kVersion);
    write_beneath(dir_.get(), dir_path_, ".", "version", kVersion.size(), version, std::nullopt);
    committed_ = true;
    remove_previous_image();
    fsync_dir(dir_path_);
  }

 private:
  // The first blob thread opens (and makes) the directory.
  void open() {
    std::lock_guard lock(open_mutex_);
    if (dir_) return;
    made_dir_ = !fs::exists(dir_path_);
    make_dirs(dir_path_);
    dir_ = open_dir(dir_path_);
    std::vector<std::string> names = listing();
    if (!names.empty() && std::find(names.begin(), names.end(), "version") == names.end()) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: non-empty directory {:?} is not an image destination (it has no "
                       "version file)",
                       name_, dir_path_.string()));
    }
  }

  void write_file(const std::string& file, uint64_t size, Reader& data, const Digest& digest) {
    bool is_new = CreatedBeneath::absent(dir_.get(), file);
    write_beneath(dir_.get(), dir_path_, ".", file, size, data, digest);
    if (is_new) created_.add(file);
    std::lock_guard lock(open_mutex_);
    written_.insert(file);
  }

  std::vector<std::string> listing() {
    int fd = ::dup(dir_.get());
    if (fd < 0) fail_errno("dup", dir_path_.string());
    DIR* listing = ::fdopendir(fd);
    if (listing == nullptr) {
      ::close(fd);
      fail_errno("list", dir_path_.string());
    }
    ::rewinddir(listing);  // a dup shares the offset an earlier listing left at the end
    std::vector<std::string> names;
    while (dirent* entry = ::readdir(listing)) {
      std::string file = entry->d_name;
      if (file != "." && file != "..") names.push_back(std::move(file));
    }
    ::closedir(listing);
    return names;
  }

  // The files of the image this one replaces, once it is committed: until then the previous
  // image stays whole (a copy that fails leaves it as it was).
  void remove_previous_image() {
    for (const std::string& file : listing()) {
      if (written_.count(file) || file == "manifest.json" || file == "version") continue;
      struct stat st {};
      if (::fstatat(dir_.get(), file.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) &&
          ::unlinkat(dir_.get(), file.c_str(), 0) != 0) {
        fail_errno("remove", (dir_path_ / file).string());
      }
    }
  }

  fs::path dir_path_;
  std::string name_;
  std::mutex open_mutex_;
  UniqueFd dir_;
  std::optional<std::string> top_;
  std::set<std::string> written_;
  // Undone when destroyed before commit().
  CreatedBeneath created_;
  bool made_dir_ = false;
  bool committed_ = false;
};

}  // namespace

std::unique_ptr<ImageSource> dir_source(const fs::path& dir, const std::string& name) {
  return std::make_unique<DirSource>(dir, name);
}

std::unique_ptr<ImageDestination> dir_destination(const fs::path& dir, const std::string& name) {
  return std::make_unique<DirDestination>(dir, name);
}

std::vector<std::string> read_dir_signatures(const fs::path& dir) {
  UniqueFd fd = open_dir(dir);
  std::vector<std::string> out;
  for (size_t n = 1;; ++n) {
    std::string file = signature_file(n);
    struct stat st {};
    if (::fstatat(fd.get(), file.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return out;
      fail_errno("stat", (dir / file).string());
    }
    out.push_back(read_beneath(fd.get(), file, dir, kSignatureSizeLimit));
  }
}

void write_dir_signatures(const fs::path& dir, const std::vector<std::string>& signatures) {
  UniqueFd fd = open_dir(dir);
  for (size_t i = 0; i < signatures.size(); ++i) {
    StringReader reader(signatures[i]);
    write_beneath(fd.get(), dir, ".", signature_file(i + 1), signatures[i].size(), reader,
                  std::nullopt);
  }
  if (!signatures.empty()) fsync_dir(dir);
}

}  // namespace schicht::copy
