#include "containers/mounts.h"

#include <cerrno>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"
#include "snapshot/overlay_mount.h"
#include "snapshot/snapshotter.h"

namespace schicht::containers {
namespace {

// Whether a snapshot of the image's layers is gone: an overlay `image mount` still shows the
// deleted directory, which a later rebuild of the snapshot does not replace.
bool snapshot_missing(store::Store& store, const Digest& image) {
  snapshot::Snapshotter snapshots(store.root() / "snapshots");
  std::optional<Digest> chain;
  for (const auto& layer : store.layers(image)) {
    chain = chain ? chain_id(*chain, layer.diff_id) : layer.diff_id;
    if (!snapshots.exists(*chain)) return true;
  }
  return false;
}

}  // namespace

std::string unescape_mountinfo(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      auto octal = [](char c) { return c >= '0' && c <= '7'; };
      if (octal(field[i + 1]) && octal(field[i + 2]) && octal(field[i + 3])) {
        out += static_cast<char>(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) |
                                 (field[i + 3] - '0'));
        i += 3;
        continue;
      }
    }
    out += field[i];
  }
  return out;
}

std::vector<MountEntry> read_mountinfo() {
  std::ifstream info("/proc/self/mountinfo");
  if (!info) fail_errno("open", "/proc/self/mountinfo");
  std::vector<MountEntry> out;
  std::string line;
  while (std::getline(info, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mount_point;
    if (!(fields >> id >> parent >> device >> root >> mount_point)) continue;
    out.push_back(MountEntry{unescape_mountinfo(root), unescape_mountinfo(mount_point)});
  }
  return out;
}

bool is_mounted(const fs::path& path) {
  for (const auto& entry : read_mountinfo()) {
    if (entry.mount_point == path.string()) return true;
  }
  return false;
}

void check_image_mounts(store::Store& store, const store::CheckOptions& options,
                        store::CheckReport& report) {
  std::string prefix = (store.root() / "mounts").string() + "/";
  std::vector<std::string> stale;
  for (const auto& entry : read_mountinfo()) {
    if (!entry.mount_point.starts_with(prefix)) continue;
    std::string hex = entry.mount_point.substr(prefix.size());
    std::string why;
    if (!Digest::is_sha256_hex(hex) || !store.image(Digest::parse("sha256:" + hex))) {
      why = "its image is gone";
    } else if (entry.root.ends_with("//deleted")) {
      why = "its snapshot was deleted";
    } else if (!fs::exists(store.root() / "mounts" / ".trees" / hex) &&
               snapshot_missing(store, Digest::parse("sha256:" + hex))) {
      why = "its snapshot was deleted";  // an overlay of the snapshots
    } else {
      continue;
    }
    // A path stacked twice is reported and detached once per mount.
    report.problems.push_back(fmt::format("stale mount {}: {}", entry.mount_point, why));
    stale.push_back(entry.mount_point);
  }
  report.unrepaired += stale.size();
  if (!options.repair) return;
  for (const auto& path : stale) {
    // No longer a mount point (another process detached it meanwhile): nothing to do.
    snapshot::unmount_if_mounted(path);
    report.repairs.push_back(fmt::format("unmounted stale mount {}", path));
    --report.unrepaired;
  }
  for (const auto& path : stale) {
    std::error_code ec;
    fs::remove(path, ec);  // the empty mount point; one still covered by a mount stays
  }
}

}  // namespace schicht::containers
