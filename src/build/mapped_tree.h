// scan_tree() and write_diff() for the build's root filesystems. Rootless with subordinate
// ids (id_map.h), what RUN made as another user may be unreadable to the caller (a 0700
// directory of uid 1000), so both run as root of a user namespace with the build's mapping,
// which sees and reads everything with the owners the layer records; their results come back
// through a scratch file beside the tree. Otherwise they are the plain functions.
#pragma once

#include "build/tree_diff.h"

namespace schicht::build {

TreeState scan_build_tree(const fs::path& root);

void write_build_diff(const fs::path& root, const TreeState& before, Writer& out,
                      const DiffOptions& options);

}  // namespace schicht::build
