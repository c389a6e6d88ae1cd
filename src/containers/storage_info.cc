#include "containers/storage_info.h"

#include <sys/statfs.h>

#include <map>
#include <vector>

#include "core/error.h"
#include "core/process.h"
#include "store/storage_conf.h"

namespace schicht::containers {

using nlohmann::ordered_json;

namespace {

// What a program prints on stdout, trimmed; empty when it cannot run or fails.
std::string program_output(std::vector<std::string> argv) {
  try {
    ChildExit exit = run_collecting(std::move(argv), "describe the mount program", false);
    if (!exited_zero(exit.status)) return {};
    while (!exit.output.empty() && exit.output.back() == '\n') exit.output.pop_back();
    return exit.output;
  } catch (const Error&) {
    return {};  // info describes; a missing dpkg only leaves the package unknown
  }
}

// The overlay mount program as podman shows it under graphOptions: its path, the Debian
// package that installed it (name_version_arch) and what its --version prints.
ordered_json mount_program_info(const std::string& program) {
  std::string package = program_output({"dpkg", "-S", program});
  if (size_t colon = package.find(':'); colon != std::string::npos) {
    package = program_output({"dpkg-query", "-W", "-f", "${Package}_${Version}_${Architecture}",
                              package.substr(0, colon)});
  } else {
    package.clear();
  }
  return {{"Executable", program},
          {"Package", package.empty() ? "Unknown" : package},
          {"Version", program_output({program, "--version"})}};
}

// podman's graphStatus of the overlay driver: a container's changes can be read from its
// upper directory as they are (native diff) with the kernel's overlayfs, not through a mount
// program; no metacopy; the snapshots need d_type, which extraction relies on anyway.
ordered_json overlay_status(int64_t magic, bool mount_program) {
  return {{"Backing Filesystem", backing_filesystem(magic)},
          {"Native Overlay Diff", mount_program ? "false" : "true"},
          {"Supports d_type", "true"},
          {"Using metacopy", "false"}};
}

}  // namespace

std::string_view backing_filesystem(int64_t magic) {
  switch (static_cast<uint64_t>(magic)) {
    case 0xEF53:
      return "extfs";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x01021994:
      return "tmpfs";
    case 0x794C7630:
      return "overlayfs";
    case 0x2FC12FC1:
      return "zfs";
    case 0x65735546:
      return "fuse";
    case 0x6969:
      return "nfs";
    default:
      return "<unknown>";
  }
}

StorageInfo storage_info(store::Store& store, const DriverRequest& request,
                         const std::string& run_root) {
  StorageInfo info;
  info.images = static_cast<int64_t>(store.images({.digests = false, .details = false}).size());
  info.containers = static_cast<int64_t>(store.containers().size());
  struct statfs st {};
  if (::statfs(store.root().c_str(), &st) != 0) fail_errno("statfs", store.root().string());
  info.root_allocated = static_cast<uint64_t>(st.f_bsize) * st.f_blocks;
  info.root_used = info.root_allocated - static_cast<uint64_t>(st.f_bsize) * st.f_bfree;
  info.driver = std::string(storage_driver_name(storage_driver(request)));
  const std::string& mount_program = overlay_mount_program(request);
  std::map<std::string, ordered_json> options;
  for (auto& [key, value] :
       store::additional_store_graph_options(request.storage_opts, info.driver)) {
    options[key] = value;
  }
  if (info.driver == "overlay" && !mount_program.empty()) {
    options["overlay.mount_program"] = mount_program_info(mount_program);
  }
  for (auto& [key, value] : options) info.graph_options[key] = std::move(value);
  if (info.driver == "overlay")
    info.graph_status = overlay_status(st.f_type, !mount_program.empty());
  info.root = store.root();
  info.run_root = run_root.empty() ? store.root() : fs::path(run_root);
  return info;
}

}  // namespace schicht::containers
