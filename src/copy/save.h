// save: images of the store in podman's save formats, through the copy engine (copy_image.h)
// with the store as the source (stored_image.h):
//
// - docker-archive (archive_image.h): one image, or several into one archive (save -m), each
//   with its names as RepoTags (a name without a tag is left out: RepoTags holds name:tag).
// - oci-archive, oci-dir (oci_dir_image.h): one image, its ref.name the first name. A Docker
//   schema 2 manifest is converted to OCI (the layouts store OCI only): the manifest digest
//   changes, the image ID does not. Layers go as stored.
// - docker-dir (dir_image.h): the dir: transport, byte-exact; `compress` gzips the layers stored
//   uncompressed.
//
// --multi-arch (copy_image.h's MultiArch) for an item that is a stored list (store/lists.h):
// system, the instance for this machine; all, every instance and then the list byte-exact (its
// digest unchanged), each instance from the image stored under its digest (kNotFound before
// anything is written when one is not in the store: pull --all-platforms keeps lists whole);
// index-only, the list alone. A docker-archive holds no list: kInvalidInput. A list of Docker
// types cannot be kept whole in an OCI layout (kUnsupported): converting it would change its
// digest.
//
// Output is all or nothing: an archive is written beside its path and renamed over it; a layout
// directory is left as it was when the save fails. Nothing in the store changes but the
// images' last-used times.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "copy/copy_image.h"
#include "copy/image_destination.h"
#include "core/digest.h"
#include "core/fs.h"
#include "core/io.h"
#include "store/lists.h"
#include "store/store.h"

namespace schicht::copy {

enum class SaveFormat { kDockerArchive, kOciArchive, kOciDir, kDockerDir };

// podman's --format names; kInvalidInput for others.
SaveFormat parse_save_format(std::string_view name);
bool is_directory_format(SaveFormat format);

struct SaveItem {
  Digest id;
  std::vector<std::string> names;  // RepoTags (docker-archive) or the ref.name (OCI: the first)
  // A stored list saved per --multi-arch instead of the image `id`.
  std::optional<store::ListInfo> list;
};

struct SaveOptions {
  SaveFormat format = SaveFormat::kDockerArchive;
  MultiArch multi_arch = MultiArch::kSystem;
  bool compress = false;  // docker-dir only
  // save --referrers (oci-archive, oci-dir only; kInvalidInput for the others): called with the
  // manifest digest the layout's image entry has, after its blobs and manifests are written and
  // before the layout is committed, to write the referrers into it (artifacts/save_referrers.h).
  // A failure leaves the output as it was.
  std::function<void(const Digest& top, ImageDestination& layout)> referrers;
};

// Writes `items` (several only for docker-archive) to `output`: the archive file, or the
// layout directory (created when missing). kInvalidInput for what the format cannot hold.
void save_images(store::Store& store, const std::vector<SaveItem>& items, const fs::path& output,
                 const SaveOptions& options);

// An archive format written to `out` (stdout) instead: built in a temp file first, so that a
// failed save writes nothing.
void save_images(store::Store& store, const std::vector<SaveItem>& items, Writer& out,
                 const SaveOptions& options);

}  // namespace schicht::copy
