#include "cli/local_transports.h"

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
#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"
#include "oci/manifest.h"
#include "transport/archive_load.h"
#include "transport/archive_save.h"

namespace schicht::cli {
namespace {

// Far above any real manifest; a dir: layout's manifest.json is read into memory whole.
constexpr size_t kMaxManifestBytes = size_t{64} << 20;

struct Local {
  std::string transport;
  std::string path;
  std::string ref;  // what follows the path after ':' (empty when nothing does)
};

std::optional<Local> parse_local(const std::string& text) {
  for (std::string_view t : {"oci-archive", "docker-archive", "oci", "dir"}) {
    std::string prefix = std::string(t) + ":";
    if (!text.starts_with(prefix)) continue;
    std::string rest = text.substr(prefix.size());
    // PATH ends at the first ':' as containers/image reads it.
    size_t colon = rest.find(':');
    std::string path = rest.substr(0, colon);
    if (path.empty()) fail(ErrorKind::kInvalidInput, fmt::format("{}: no path given", text));
    return Local{std::string(t), path, colon == std::string::npos ? "" : rest.substr(colon + 1)};
  }
  return std::nullopt;
}

std::vector<Digest> load_file(store::Store& store, const fs::path& file) {
  UniqueFd fd = open_read(file);
  FdReader reader(fd.get(), file.string());
  std::vector<Digest> ids;
  for (const auto& image : transport::load_archive(store, reader, file.string())) {
    ids.push_back(image.id);
  }
  return ids;
}

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

}  // namespace

std::optional<std::vector<Digest>> pull_local(store::Store& store, const std::string& text) {
  auto local = parse_local(text);
  if (!local) return std::nullopt;
  if (local->transport == "oci-archive" || local->transport == "docker-archive") {
    return load_file(store, local->path);
  }
  TempDir temp(temp_root(), "schicht-pull");
  fs::path tar = local->transport == "oci" ? tar_oci_dir(local->path, temp.path())
                                           : tar_docker_dir(local->path, temp.path());
  return with_context(text, [&] { return load_file(store, tar); });
}

bool push_local(store::Store& store, const Digest& image, const std::vector<std::string>& names,
                const std::string& destination, bool compress) {
  auto local = parse_local(destination);
  if (!local) return false;
  transport::SaveItem item{image, names};
  // The destination's own name, as podman writes it: oci: and oci-archive: take it as the
  // ref.name annotation as written, docker-archive: as a normalized reference listed first.
  if (!local->ref.empty() && (local->transport == "oci" || local->transport == "oci-archive")) {
    item.names = {local->ref};
  } else if (!local->ref.empty() && local->transport == "docker-archive") {
    std::string name = with_context(fmt::format("parsing {:?}", destination), [&] {
      return Reference::parse(local->ref).with_default_tag().str();
    });
    std::erase(item.names, name);
    item.names.insert(item.names.begin(), name);
  }
  if (local->transport == "oci") {
    transport::save_directory(store, transport::SaveFormat::kOciDir, item, local->path);
    return true;
  }
  if (local->transport == "dir") {
    transport::save_directory(store, transport::SaveFormat::kDockerDir, item, local->path,
                              compress);
    return true;
  }
  auto format = local->transport == "oci-archive" ? transport::SaveFormat::kOciArchive
                                                  : transport::SaveFormat::kDockerArchive;
  AtomicFile file(local->path);
  FdWriter writer(file.fd(), local->path);
  transport::save_archive(store, format, {item}, writer);
  file.commit();
  return true;
}

}  // namespace schicht::cli
