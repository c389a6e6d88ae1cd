#include "transport/local_pull.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "archive/tar_writer.h"
#include "core/beneath.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/io.h"
#include "core/reference.h"
#include "oci/manifest.h"
#include "transport/source_policy.h"

namespace schicht::transport {
namespace {

// Far above any real manifest; a dir: layout's manifest.json is read into memory whole.
constexpr size_t kMaxManifestBytes = size_t{64} << 20;

// Adds the file `rel` beneath `root_fd` as `rel` (regular files only, symlinks resolved inside
// the layout: core/beneath.h).
void add_file_beneath(TarWriter& tar, int root_fd, const fs::path& layout, const fs::path& rel) {
  struct stat st {};
  std::string shown = (layout / rel).string();
  UniqueFd fd = open_regular_beneath(root_fd, rel, shown, &st);
  FdReader reader(fd.get(), shown);
  tar.add_file(rel.string(), static_cast<uint64_t>(st.st_size), reader, 0444, 0);
}

// Every file of the layout directory `rel`, in name order (the archive is then the same each
// time). Real directories are walked; anything else must resolve to a regular file inside.
void add_tree(TarWriter& tar, int root_fd, const fs::path& layout, const fs::path& rel) {
  UniqueFd dir =
      open_dir_beneath(root_fd, rel.empty() ? fs::path(".") : rel, (layout / rel).string());
  std::vector<std::pair<std::string, bool>> entries;  // name, is a real directory
  {
    // fdopendir takes the descriptor over; closedir closes it.
    DIR* stream = ::fdopendir(dir.get());
    if (stream == nullptr) fail_errno("read directory", (layout / rel).string());
    dir.release();
    std::unique_ptr<DIR, int (*)(DIR*)> guard(stream, &::closedir);
    errno = 0;
    while (const dirent* entry = ::readdir(stream)) {
      std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      struct stat st {};
      if (::fstatat(::dirfd(stream), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        fail_errno("stat", (layout / rel / name).string());
      }
      entries.emplace_back(name, S_ISDIR(st.st_mode));
      errno = 0;
    }
    if (errno != 0) fail_errno("read directory", (layout / rel).string());
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& [name, is_dir] : entries) {
    if (is_dir) {
      add_tree(tar, root_fd, layout, rel / name);
    } else {
      add_file_beneath(tar, root_fd, layout, rel / name);
    }
  }
}

UniqueFd create_temp_tar(const fs::path& out) {
  UniqueFd fd(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) fail_errno("create", out.string());
  return fd;
}

// An OCI layout directory as an oci-archive in a temp file.
fs::path tar_oci_dir(const fs::path& dir, const fs::path& temp) {
  UniqueFd root = open_dir(dir);
  struct stat st {};
  if (::fstatat(root.get(), "index.json", &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: not an OCI layout (no index.json)", dir.string()));
  }
  fs::path out = temp / "layout.tar";
  UniqueFd fd = create_temp_tar(out);
  FdWriter writer(fd.get(), out.string());
  TarWriter tar(writer);
  add_tree(tar, root.get(), dir, {});
  tar.finish();
  return out;
}

// A dir: layout (manifest.json and blobs named by hex) as an oci-archive in a temp file.
fs::path tar_docker_dir(const fs::path& dir, const fs::path& temp) {
  UniqueFd root = open_dir(dir);
  std::string manifest;
  {
    std::string shown = (dir / "manifest.json").string();
    UniqueFd file = open_regular_beneath(root.get(), "manifest.json", shown);
    FdReader reader(file.get(), shown);
    manifest = read_all(reader, kMaxManifestBytes, shown);
  }
  Manifest parsed = parse_manifest(manifest);
  fs::path out = temp / "layout.tar";
  UniqueFd fd = create_temp_tar(out);
  FdWriter writer(fd.get(), out.string());
  TarWriter tar(writer);
  tar.add_file("oci-layout", R"({"imageLayoutVersion": "1.0.0"})", 0444, 0);
  nlohmann::json index = {{"schemaVersion", 2},
                          {"manifests",
                           {{{"mediaType", parsed.media_type},
                             {"digest", parsed.digest.str()},
                             {"size", manifest.size()}}}}};
  tar.add_file("index.json", index.dump(), 0444, 0);
  tar.add_file(fmt::format("blobs/sha256/{}", parsed.digest.hex()), manifest, 0444, 0);
  std::vector<std::string> blobs;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (Digest::is_sha256_hex(name)) blobs.push_back(name);
  }
  std::sort(blobs.begin(), blobs.end());
  for (const auto& name : blobs) {
    struct stat st {};
    std::string shown = (dir / name).string();
    UniqueFd blob = open_regular_beneath(root.get(), name, shown, &st);
    FdReader reader(blob.get(), shown);
    tar.add_file("blobs/sha256/" + name, static_cast<uint64_t>(st.st_size), reader, 0444, 0);
  }
  tar.finish();
  return out;
}

// podman names an image pulled from oci:DIR after the directory as typed ("oci:/a/b:x" gives
// "localhost/a/b:latest"); a path that makes no valid name fails, as it does in podman.
std::vector<std::string> oci_dir_names(const TransportRef& source) {
  std::string path = source.path;
  path.erase(0, path.find_first_not_of('/'));
  std::string name = "localhost/" + path;
  return {with_context(fmt::format("parsing {:?}", name),
                       [&] { return Reference::parse(name).with_default_tag().str(); })};
}

// `shown` names the source in messages: the directory a temp archive was made of.
std::vector<LoadedImage> load_file(store::Store& store, const fs::path& file,
                                   const LoadSource& source, const std::string& shown) {
  UniqueFd fd = open_read(file);
  FdReader reader(fd.get(), shown);
  return load_archive(store, reader, shown, source);
}

}  // namespace

std::vector<LoadedImage> pull_local(store::Store& store, const TransportRef& source,
                                    const trust::Policy* policy) {
  if (!source.is_local()) {
    fail(ErrorKind::kInternal, fmt::format("{} is not a local transport", source.str()));
  }
  LoadSource load{.policy = policy, .named = source};
  if (source.transport == Transport::kOciArchive || source.transport == Transport::kDockerArchive) {
    return load_file(store, source.path, load, source.path);
  }
  if (source.transport == Transport::kOci) load.names = oci_dir_names(source);
  // Checked before the directory is read; load_archive checks the same source again (no I/O).
  admit_source(policy, source);
  TempDir temp(temp_root(), "schicht-pull");
  fs::path tar = source.transport == Transport::kOci ? tar_oci_dir(source.path, temp.path())
                                                     : tar_docker_dir(source.path, temp.path());
  return load_file(store, tar, load, source.path);
}

}  // namespace schicht::transport
