// Which additional read-only image stores a command reads (containers-storage.conf(5)'s
// additionalimagestores, podman's --storage-opt additionalimagestore=DIR): other schicht store
// roots whose images are listed, inspected, saved and run beside the primary store's, and
// never written (Store(root, Store::ReadOnly{})).
//
// storage.conf is read only where $CONTAINERS_STORAGE_CONF names it: the system's and the
// user's storage.conf describe containers/storage's stores, which are not schicht stores, so a
// podman setup never makes schicht fail. Its [storage.options] additionalimagestores list is
// used unless --storage-opt is given at all: as in podman, the flag's options replace the
// file's. Other keys are podman's business and are ignored.
#pragma once

#include <string>
#include <string_view>
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

// What a command uses: from `storage_opts` when any was given, else from the file
// $CONTAINERS_STORAGE_CONF names (kNotFound when it does not exist), else none. Duplicates
// are dropped, first kept.
std::vector<std::string> additional_image_stores(const std::vector<std::string>& storage_opts);

}  // namespace schicht::store
