// COPY and ADD: sources from the build context (minus .containerignore) or from another
// stage's or image's root filesystem, globs expanded, copied into a root filesystem with
// Docker's rules (a directory's contents, not the directory; a trailing '/' or several sources
// make the destination a directory), --chown and --chmod applied, and for ADD local tar
// archives extracted and remote URLs downloaded. Symlinks on the way to the destination are
// followed as inside a chroot: resolved within the root filesystem, never leaving it
// (snapshot::resolve_dir_in_root).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "builder/ignore.h"
#include "core/fs.h"

namespace schicht::builder {

struct CopySpec {
  bool add = false;                     // ADD: extract archives, fetch URLs
  std::vector<std::string> sources;     // after substitution
  std::string dest;                     // after substitution, absolute (WORKDIR applied)
  std::string dest_as_written;          // after substitution only, as history shows it
  fs::path source_root;                 // the context, or a stage's or image's root filesystem
  const IgnoreRules* ignore = nullptr;  // for the context only
  bool keep_owners = false;             // a stage's or image's files keep theirs without --chown
  std::optional<std::string> chown;     // "user[:group]", names looked up in the target rootfs
  std::optional<mode_t> chmod;
  fs::path download_dir;  // where ADD puts URLs it fetches
};

struct ResolvedSource {
  fs::path path;    // on the host
  std::string rel;  // relative to the source root
  bool url = false;
};

// Expands globs; a source that matches nothing fails as podman's copier does.
std::vector<ResolvedSource> resolve_sources(const CopySpec& spec);

// A digest of the sources' names, types, modes and contents: "file:<hex>", "dir:<hex>" or
// "multi:<hex>", as buildah's history names them.
std::string hash_sources(const CopySpec& spec, const std::vector<ResolvedSource>& sources);

// Copies the resolved sources into `rootfs`.
void copy_into(const CopySpec& spec, const std::vector<ResolvedSource>& sources,
               const fs::path& rootfs);

// "user[:group]" as numbers, names looked up in the root filesystem's passwd and group files.
std::pair<uid_t, gid_t> lookup_owner(const std::string& spec, const fs::path& rootfs);

// `--chmod=755`: the mode, or kInvalidInput.
mode_t parse_chmod(const std::string& text);

}  // namespace schicht::builder
