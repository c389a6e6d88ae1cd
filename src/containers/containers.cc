// Containers as podman records them — enough that images are really referenced. A container's
// root filesystem is <root>/containers/<id>/rootfs: with the overlay driver (storage_driver.h)
// an overlay mount of its image's diff snapshots with the container's own upper/ and work/
// beside it, mounted at create and unmounted by rm; with vfs a private copy, the snapshots
// flattened into it. The snapshots stay as long as the image, which no container's image can
// stop being before its containers are gone. Running is not schicht's job.
#include "containers/containers.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>

#include <optional>
#include <set>

#include <fmt/format.h>

#include "containers/mounts.h"
#include "containers/names.h"
#include "content/stored_layer.h"
#include "core/error.h"
#include "core/time.h"
#include "snapshot/overlay_mount.h"
#include "snapshot/snapshotter.h"
#include "snapshot/tree_copy.h"

namespace schicht::containers {
namespace {

using nlohmann::ordered_json;

// An overlay container has an upper directory; a vfs one only its copy.
bool is_overlay_container(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "upper", ec);
}

// The program that mounted an overlay container's root filesystem; empty: the kernel.
fs::path container_mount_program(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir / "mount_program", ec)) return {};
  std::string program = read_file(dir / "mount_program");
  while (!program.empty() && program.back() == '\n') program.pop_back();
  return program;
}

// An exclusive flock on a container's directory (empty when it is gone): removing a container
// holds it from its row to its last file, `system check` while it judges and remounts one, so
// a check never mounts the root filesystem of a container being removed.
UniqueFd lock_container(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd && errno == ENOENT) return fd;
  if (!fd) fail_errno("open", dir.string());
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) fail_errno("lock", dir.string());
  }
  return fd;
}

void remove_container_files(store::Store& store, const std::string& id) {
  snapshot::unmount_if_mounted(store.container_dir(id) / "rootfs");
  std::error_code ec;
  fs::remove_all(store.container_dir(id), ec);
  if (ec) {
    fail(ErrorKind::kIo,
         fmt::format("removing {}: {}", store.container_dir(id).string(), ec.message()));
  }
}

// Makes dir/rootfs from the diff snapshots `lowers` (bottom first); returns the bytes the
// container's own files take. An overlay that cannot be mounted (a chain too long for the
// mount options) falls back to a copy unless overlay was asked for. An overlay made by a mount
// program names it in dir/mount_program, for `system check` to mount it again the same way.
uint64_t make_rootfs(const std::vector<fs::path>& lowers, const fs::path& dir, StorageDriver driver,
                     bool overlay_required, const std::string& mount_program) {
  fs::path rootfs = dir / "rootfs";
  make_dirs(rootfs, 0755);
  if (driver == StorageDriver::kOverlay) {
    try {
      make_dirs(dir / "upper", 0755);
      make_dirs(dir / "work", 0700);
      // The merged root shows the upper root's attributes: those of the image's root.
      struct stat top;
      if (::stat(lowers.back().c_str(), &top) != 0) fail_errno("stat", lowers.back().string());
      if (::chown((dir / "upper").c_str(), top.st_uid, top.st_gid) != 0 ||
          ::chmod((dir / "upper").c_str(), top.st_mode & 07777) != 0) {
        fail_errno("set the attributes of", (dir / "upper").string());
      }
      if (!mount_program.empty()) write_file_atomic(dir / "mount_program", mount_program + "\n");
      snapshot::mount_overlay({.lowers = lowers,
                               .upper = dir / "upper",
                               .work = dir / "work",
                               .user_xattr = in_user_namespace(),
                               .mount_program = mount_program},
                              rootfs);
      UniqueFd upper(::open((dir / "upper").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!upper) fail_errno("open", (dir / "upper").string());
      return snapshot::disk_usage(upper.get());
    } catch (const Error& e) {
      if (overlay_required || e.kind() != ErrorKind::kUnsupported) throw;
      fs::remove_all(dir / "upper");
      fs::remove_all(dir / "work");
      fs::remove_all(dir / "mount_program");
    }
  }
  UniqueFd to(::open(rootfs.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!to) fail_errno("open", rootfs.string());
  snapshot::flatten_diffs(lowers, to.get(), ::geteuid() == 0);
  return snapshot::disk_usage(to.get());
}

}  // namespace

std::set<std::string> container_names(store::Store& store) {
  std::set<std::string> taken;
  for (const auto& c : store.containers()) taken.insert(c.name);
  return taken;
}

// The snapshot sources of an image, bottom layer first.
std::vector<snapshot::LayerSource> layer_sources(store::Store& store, const Digest& image) {
  std::vector<snapshot::LayerSource> out;
  for (const auto& layer : store.layers(image)) {
    Digest digest = layer.digest;
    out.push_back(
        {layer.diff_id,
         [&store, digest] { return std::make_unique<StoredLayerReader>(store.blobs(), digest); },
         layer.uncompressed_size});
  }
  return out;
}

uint64_t remove_container(store::Store& store, const std::string& id) {
  uint64_t bytes = 0;
  UniqueFd lock = lock_container(store.container_dir(id));
  // Measured without the overlay, whose merged tree is mostly the image's.
  snapshot::unmount_if_mounted(store.container_dir(id) / "rootfs");
  UniqueFd dir(::open(store.container_dir(id).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) bytes = snapshot::disk_usage(dir.get());
  store.remove_container(id);
  remove_container_files(store, id);
  return bytes;
}

void remove_containers_of(store::Store& store, const Digest& image) {
  for (const auto& c : store.containers()) {
    if (c.image_id == image) remove_container(store, c.id);
  }
}

std::set<std::string> needed_snapshots(store::Store& store, const std::set<std::string>& except) {
  std::set<std::string> needed;
  // A container's image cannot go, and its snapshots may be an overlay's lower directories:
  // they are needed even when the caller expects its image to go.
  std::set<std::string> used = images_in_use(store);
  for (const auto& image : store.images()) {
    if (except.count(image.id.str()) != 0 && used.count(image.id.str()) == 0) continue;
    std::optional<Digest> chain;
    for (const auto& layer : store.layers(image.id)) {
      chain = chain ? chain_id(*chain, layer.diff_id) : layer.diff_id;
      needed.insert(chain->str());
    }
  }
  return needed;
}

uint64_t remove_unused_snapshots(store::Store& store) {
  fs::path dir = store.root() / "snapshots";
  if (!fs::exists(dir)) return 0;
  snapshot::Snapshotter snapshots(dir);
  // Listed before the images are read: a snapshot listed was built for an image already stored.
  std::vector<Digest> present = snapshots.list();
  std::set<std::string> needed = needed_snapshots(store);
  uint64_t freed = 0;
  for (const auto& chain : present) {
    if (needed.count(chain.str()) == 0) freed += snapshots.remove(chain);
  }
  return freed;
}

uint64_t unused_snapshot_bytes(store::Store& store, const std::set<std::string>& removed) {
  fs::path dir = store.root() / "snapshots";
  if (!fs::exists(dir)) return 0;
  std::set<std::string> needed = needed_snapshots(store, removed);
  snapshot::Snapshotter snapshots(dir);
  uint64_t bytes = 0;
  for (const auto& chain : snapshots.list()) {
    if (needed.count(chain.str()) == 0) bytes += snapshots.bytes(chain);
  }
  return bytes;
}

uint64_t snapshot_bytes(store::Store& store) {
  fs::path dir = store.root() / "snapshots";
  if (!fs::exists(dir)) return 0;
  snapshot::Snapshotter snapshots(dir);
  uint64_t bytes = 0;
  for (const auto& chain : snapshots.list()) bytes += snapshots.bytes(chain);
  return bytes;
}

void check_container_roots(store::Store& store, const store::CheckOptions& options,
                           store::CheckReport& report) {
  std::optional<snapshot::Snapshotter> made;  // only when there is an overlay container
  for (const auto& c : store.containers()) {
    fs::path dir = store.container_dir(c.id);
    if (!is_overlay_container(dir)) continue;
    if (!made) made.emplace(store.root() / "snapshots");
    snapshot::Snapshotter& snapshots = *made;
    auto judge = [&] {
      std::optional<Digest> chain;
      for (const auto& layer : store.layers(c.image_id)) {
        chain = chain ? chain_id(*chain, layer.diff_id) : layer.diff_id;
        if (!snapshots.exists(*chain)) {
          return fmt::format("snapshot {} of its layers is missing", chain->str());
        }
      }
      return is_mounted(dir / "rootfs") ? std::string() : "its root filesystem is not mounted";
    };
    if (judge().empty()) continue;
    // Again under the container's lock: an rm may have been removing it meanwhile.
    UniqueFd lock = lock_container(dir);
    if (!lock || !store.find_container(c.id)) continue;
    std::string why = judge();
    if (why.empty()) continue;
    std::string name = c.id.substr(0, 12);
    report.problems.push_back(fmt::format("container {}: {}", name, why));
    ++report.unrepaired;
    if (!options.repair) continue;
    try {
      snapshot::HeldSnapshot held = snapshots.prepare_held(layer_sources(store, c.image_id));
      snapshot::unmount_if_mounted(dir / "rootfs");
      snapshot::mount_overlay({.lowers = held.paths(),
                               .upper = dir / "upper",
                               .work = dir / "work",
                               .user_xattr = in_user_namespace(),
                               .mount_program = container_mount_program(dir)},
                              dir / "rootfs");
    } catch (const Error& e) {
      report.problems.push_back(fmt::format("container {}: cannot mount it: {}", name, e.what()));
      continue;
    }
    report.repairs.push_back(fmt::format("mounted the root filesystem of container {}", name));
    --report.unrepaired;
  }
}

std::set<std::string> images_in_use(store::Store& store) {
  std::set<std::string> out;
  for (const auto& c : store.containers()) out.insert(c.image_id.str());
  return out;
}

store::ContainerInfo create_container(store::Store& store, const CreateRequest& request) {
  const DriverRequest& driver_request = request.driver;
  StorageDriver driver = storage_driver(driver_request);
  snapshot::Snapshotter snapshots(store.root() / "snapshots");
  auto layers = store.layers(request.image);
  // Held until the root filesystem is made: a concurrent rmi, prune or repair may remove
  // snapshots (once it is made, the container keeps its image and so its snapshots).
  snapshot::HeldSnapshot held = snapshots.prepare_held(layer_sources(store, request.image));
  Digest chain = layers.empty() ? Digest::sha256_of("") : layers.front().diff_id;
  for (size_t i = 1; i < layers.size(); ++i) chain = chain_id(chain, layers[i].diff_id);

  store::ContainerInfo c{
      .id = random_hex(32),
      .name = request.name.empty() ? unused_random_name(container_names(store)) : request.name,
      .image_id = request.image,
      .image_name = request.image_name,
      .command = request.command,
      .created = store::now_ns(),
      .chain_id = chain};
  fs::path dir = store.container_dir(c.id);
  try {
    c.size =
        make_rootfs(held.paths(), dir, driver, driver_request.asked == "overlay",
                    driver == StorageDriver::kOverlay ? overlay_mount_program(driver_request) : "");
    store.add_container(c);
  } catch (const Error&) {
    ignore_error("rolling back a failed create; the first error is reported", [&] {
      snapshot::unmount_if_mounted(dir / "rootfs");
      fs::remove_all(dir);
    });
    throw;
  }
  return c;
}

void remove_container_unmeasured(store::Store& store, const std::string& id) {
  UniqueFd lock = lock_container(store.container_dir(id));
  store.remove_container(id);
  remove_container_files(store, id);
}

ordered_json container_inspect_json(store::Store& store, const store::ContainerInfo& c) {
  ordered_json d;
  d["Id"] = c.id;
  d["Created"] = format_rfc3339_nano(c.created);
  d["Path"] = c.command.empty() ? "" : c.command.front();
  d["Args"] = c.command.size() > 1
                  ? ordered_json(std::vector<std::string>(c.command.begin() + 1, c.command.end()))
                  : ordered_json::array();
  d["State"] = {{"OciVersion", ""}, {"Status", "created"}, {"Running", false}, {"Pid", 0}};
  d["Image"] = std::string(c.image_id.hex());
  d["ImageDigest"] = store.image(c.image_id)->manifest_digest.str();
  d["ImageName"] = c.image_name;
  d["Rootfs"] = "";
  d["Name"] = c.name;
  fs::path dir = store.container_dir(c.id);
  bool overlay = is_overlay_container(dir);
  d["Driver"] = overlay ? "overlay" : "vfs";
  ordered_json data = {{"MergedDir", (dir / "rootfs").string()}};
  if (overlay) {
    data["UpperDir"] = (dir / "upper").string();
    data["WorkDir"] = (dir / "work").string();
  }
  d["GraphDriver"] = {{"Name", d["Driver"]}, {"Data", data}};
  d["SizeRootFs"] = c.size;
  return d;
}

}  // namespace schicht::containers
