// Where copy_image writes an image to. One implementation per transport (docker_image.h,
// oci_dir_image.h, dir_image.h, archive_image.h); copy_image is the only caller.
//
// Call order, as copy_image makes it:
//   1. accepts_index(), manifest_types(): at any time, to decide what to copy.
//   2. For each blob of each copied instance: try_reuse(blob, source); when it returns false,
//      put_blob(blob, data). Calls for different blobs may run at once on different threads.
//   3. put_manifest() for each instance (top = false), then for what the reference names
//      (top = true), byte-exact: the destination never rewrites a manifest.
//   4. commit(). A destination destroyed before commit() leaves the image unnamed, and every
//      local destination (a layout, an archive, the store) removes what it created, so that
//      its files are as they were; only a registry keeps blobs (and a list's instance
//      manifests) it was given, unreferenced, with no tag or manifest of the reference written.
//      tests/unit/copy/conformance_test.cc holds every implementation to this.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "copy/image_source.h"
#include "core/error.h"
#include "core/io.h"
#include "oci/descriptor.h"

namespace schicht::copy {

class ImageDestination {
 public:
  virtual ~ImageDestination() = default;
  virtual std::string name() const = 0;
  // Whether it can store an image index or manifest list (--multi-arch index-only needs it).
  virtual bool accepts_index() const = 0;
  // The manifest media types it stores; empty: any.
  virtual std::vector<std::string> manifest_types() const { return {}; }
  // False when it stores no manifest at all (docker-archive keeps config and layers; reading it
  // back yields a generated manifest): digests cannot be preserved there.
  virtual bool keeps_manifests() const { return true; }
  // True when the destination already has the blob or obtained it without its bytes (a
  // cross-repository mount from `source`).
  virtual bool try_reuse(const Descriptor& blob, const ImageSource& source) = 0;
  // Stores exactly blob.size bytes read from `data`; kIntegrity when they do not hash to
  // blob.digest (nothing is stored then).
  virtual void put_blob(const Descriptor& blob, Reader& data) = 0;
  // `bytes` stored as they are; its digest is sha256(bytes).
  virtual void put_manifest(std::string_view bytes, std::string_view media_type, bool top) = 0;
  // An extra index.json entry of an OCI layout (a referrer saved beside the image, whose
  // manifest went through put_manifest with top = false). kUnsupported where there is no index.
  virtual void add_layout_entry(const Descriptor& /*entry*/) {
    fail(ErrorKind::kUnsupported, name() + ": has no index.json to list a referrer in");
  }
  virtual void commit() = 0;
};

}  // namespace schicht::copy
