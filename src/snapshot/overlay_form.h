// How a diff snapshot records what its layer removes from the layers below, in the form
// overlayfs reads from a lower directory (image-format.md §9, overlayfs.rst):
// - a whiteout (tar `.wh.NAME`) is a character device 0/0 named NAME; Linux lets anyone create
//   one (5.8 and later), so root and rootless snapshots look alike;
// - an opaque directory (tar `.wh..wh..opq` in it) carries the xattr trusted.overlay.opaque=y
//   when made by root, user.overlay.opaque=y otherwise (what a rootless overlay mounted with
//   `userxattr` reads); where no such xattr can be set, an empty `.wh..wh..opq` file in the
//   directory records it instead (flatten honors it; such a snapshot cannot be an overlay lower).
// Layers cannot forge these xattrs: attributes.h drops every overlay xattr a layer carries.
// Stateless functions on directory descriptors.
#pragma once

#include <sys/stat.h>

#include <string_view>

namespace schicht::snapshot {

inline constexpr std::string_view kOpaqueMarkerFile = ".wh..wh..opq";

// A character device 0/0: an overlay whiteout.
bool is_whiteout(const struct stat& st);

// Creates the whiteout `name` in `dir_fd` (nothing may be there); `rel` names it in errors.
void make_whiteout(int dir_fd, const char* name, std::string_view rel);

// Whether the directory `dir_fd` (opened for reading) is opaque in any of the three forms.
bool is_opaque(int dir_fd);

// Marks the directory `dir_fd` (opened for reading) opaque: trusted.* as root, else user.*,
// else the marker file. Returns false when only the marker file could record it.
bool mark_opaque(int dir_fd, bool privileged, std::string_view rel);

}  // namespace schicht::snapshot
