// Work on the build's root filesystems. Rootless with subordinate ids (id_map.h), what RUN
// made as another user may be unreadable or unwritable to the caller (a 0700 directory of uid
// 1000), and the caller cannot chown to those ids, so the work runs as root of a user
// namespace with the build's mapping, which sees everything with the owners the layer records
// and may give files any of them. Otherwise it runs in this process.
#pragma once

#include <functional>

#include "builder/tree_diff.h"

namespace schicht::builder {

// Whether work on build trees runs in such a namespace.
bool builds_in_namespace();

// Runs `fn` as root of the build's user namespace when rootless with subordinate ids, else
// here. An Error it throws is thrown here.
void in_build_namespace(const std::function<void()>& fn);

// The same for a `fn` with a result.
std::string from_build_namespace(const std::function<std::string()>& fn);

// scan_tree() and write_diff() run that way; their results come back through a scratch file
// beside the tree.

TreeState scan_build_tree(const fs::path& root);

void write_build_diff(const fs::path& root, const TreeState& before, Writer& out,
                      const DiffOptions& options);

}  // namespace schicht::builder
