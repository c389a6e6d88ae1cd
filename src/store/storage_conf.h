// The storage options schicht takes from podman's configuration: `--storage-opt KEY=VALUE`
// (repeatable; given at all, they replace storage.conf's options, as podman does), else
// containers-storage.conf(5). Keys may carry a driver's prefix ("overlay.mount_program" or
// "mount_program"); keys schicht does not use are ignored, as podman ignores another driver's.
//
// - Additional read-only image stores (additionalimagestore=DIR, storage.conf's
//   additionalimagestores): other schicht store roots whose images are listed, inspected, saved
//   and run beside the primary store's, and never written (Store(root, Store::ReadOnly{})).
//   For them storage.conf is read only where $CONTAINERS_STORAGE_CONF names it: the system's
//   and the user's describe containers/storage's stores, which are not schicht stores, so a
//   podman setup never makes schicht fail.
// - The overlay mount program (overlay.mount_program, [storage.options.overlay] or
//   [storage.options] mount_program): a program such as fuse-overlayfs means the same here as
//   to podman, so storage.conf is looked up as podman does ($CONTAINERS_STORAGE_CONF, else
//   ~/.config/containers/storage.conf when not root and present, else
//   /etc/containers/storage.conf; missing: none).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace schicht::store {

// The additional store directories named by `storage_opts` (--storage-opt values, each
// KEY=VALUE; additionalimagestore, or imagestore as podman 4's overlay driver also calls it,
// optionally prefixed by "overlay." or "vfs.", takes a comma-separated list of absolute
// directories; other keys are accepted and ignored). kInvalidInput for a relative directory.
std::vector<std::string> additional_stores_from_options(
    const std::vector<std::string>& storage_opts);

// [storage.options] additionalimagestores of the storage.conf text `text` (`origin` names it in
// errors). kInvalidInput when it is not TOML, the list holds something other than strings, or
// a directory is relative.
std::vector<std::string> additional_stores_from_conf(std::string_view text,
                                                     std::string_view origin);

// The overlay mount program: from `storage_opts` when any was given (kInvalidInput for one
// without '='; `--storage-opt ""` gives none), else from storage.conf; empty: none.
std::string overlay_mount_program(const std::vector<std::string>& storage_opts);

// The additional image stores as podman 4.3's `info` shows them under store.graphOptions, in
// the order it reads them: from `storage_opts` when any was given, each option naming some as
// KEY (as typed: "additionalimagestore", "overlay.imagestore") and VALUE (as typed); else
// storage.conf's list, each directory as "DRIVER.imagestore" (as containers/storage turns
// them into driver options). A later value of one key replaces an earlier one, as in podman's
// map. Only what additional_image_stores would not refuse is read.
std::vector<std::pair<std::string, std::string>> additional_store_graph_options(
    const std::vector<std::string>& storage_opts, std::string_view driver);

// What a command uses: from `storage_opts` when any was given, else from the file
// $CONTAINERS_STORAGE_CONF names (kNotFound when it does not exist), else none. Duplicates
// are dropped, first kept.
std::vector<std::string> additional_image_stores(const std::vector<std::string>& storage_opts);

}  // namespace schicht::store
