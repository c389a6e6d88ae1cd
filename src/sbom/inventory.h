// The inventory of an image's root filesystem: which package databases it holds, which of them
// were read and which not (a format schicht does not read, as rpm's), the packages they list
// and the distribution (os-release). The layers are read as tars, never extracted.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "sbom/package.h"
#include "sbom/rootfs_files.h"

namespace schicht::sbom {

struct Inventory {
  OsRelease os;
  std::vector<Package> packages;       // by type, name, version, architecture
  std::vector<std::string> databases;  // read: "/var/lib/dpkg/status"
  std::vector<std::string> unread;     // found, not read: "/var/lib/rpm/rpmdb.sqlite"
};

// Every database in an image's root filesystem; a database that is malformed fails the whole
// inventory (kInvalidInput naming it and the line): a partial SBOM would look complete.
Inventory take_inventory(std::span<const LayerInput> layers);

// The same over a tree already read (tests, the fuzz target).
Inventory take_inventory(const RootfsFiles& files);

// Whether take_inventory keeps the contents of `path` (root-relative, clean).
RootfsFiles::Want inventory_wants(std::string_view path);

}  // namespace schicht::sbom
