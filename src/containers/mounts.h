// The mounts of `image mount` as the kernel sees them (/proc/self/mountinfo), and the part of
// `system check` that finds the ones left behind: a mount under <root>/mounts whose image is
// gone, or whose snapshot (a layer's, for an overlay) was deleted beneath it.
#pragma once

#include <string>
#include <vector>

#include "core/fs.h"
#include "store/check.h"
#include "store/store.h"

namespace schicht::containers {

struct MountEntry {
  std::string root;         // the mounted directory within its file system (field 4)
  std::string mount_point;  // field 5
};

// /proc/self/mountinfo, with the kernel's octal escapes (\040 for a space, \011, \012, \134)
// decoded.
std::vector<MountEntry> read_mountinfo();

// Decodes one mountinfo field.
std::string unescape_mountinfo(std::string_view field);

bool is_mounted(const fs::path& path);

// Adds stale mounts under <root>/mounts to `report`; with repair, detaches them.
void check_image_mounts(store::Store& store, const store::CheckOptions& options,
                        store::CheckReport& report);

}  // namespace schicht::containers
