// Images entering the store from the local transports, through the copy engine
// (copy_image.h: copy_admitted, so policy.json is evaluated before a byte of the source is
// read, inside the engine) into the store destination (storage_image.h):
//
// - pull_local: `pull` from oci:DIR[:REF], oci-archive:PATH[:REF], docker-archive:PATH[:REF]
//   and dir:PATH, read in place by their sources (oci_dir_image.h, archive_image.h,
//   dir_image.h). Which image, as containers/image chooses: an archive or layout must hold one
//   unless REF names one (docker-archive: a RepoTags name, or "@N"; oci:, oci-archive: a
//   ref.name). A list is copied as the instance for this machine, as podman pulls it.
// - load_archive: `load`, every image of a docker-archive or an oci-archive, as one write
//   (StoreBatch): the whole archive or nothing. The archive is indexed once (OpenedArchive);
//   up to four entries are copied at once. An uncompressed docker-archive layer is read once,
//   as it is stored: its manifest names it by its config's diffID (archive_image.h). An entry
//   of index.json that is a list goes in whole (every instance, then the list, its digest
//   unchanged). Docker 25's archives are both kinds: read as docker-archives, as podman reads
//   them.
//
// Names as podman 4.3 gives them: oci-archive: the ref.name annotation (io.containerd.image.name
// when present), docker-archive: the RepoTags, both normalized as local names (a bare name goes
// to localhost/); oci:DIR[:REF] "localhost/DIR:latest" (DIR as typed, whatever REF says); dir:
// none.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "copy/image_source.h"
#include "copy/options.h"
#include "core/digest.h"
#include "core/fs.h"
#include "core/io.h"
#include "store/store.h"
#include "transport/transport_name.h"
#include "trust/policy.h"

namespace schicht::copy {

struct LoadedImage {
  Digest id;
  std::vector<std::string> names;
  Digest manifest;  // the digest of what was stored: the image's manifest, or the list
};

// An index.json entry of an oci-archive with an artifactType (a referrer save --referrers
// wrote) and the archive read as that entry, for load --referrers.
struct LayoutReferrer {
  Descriptor entry;
  std::unique_ptr<ImageSource> source;
};
using LoadReferrers =
    std::function<void(std::vector<LayoutReferrer>& referrers, const std::vector<LoadedImage>&)>;

// `source` must be a local transport (TransportRef::is_local). `policy` is null only for
// --insecure-policy.
// `referrers` (pull --referrers): called after an image from oci: or oci-archive: is stored,
// with the layout's referrer entries (index.json entries with an artifactType).
// `unpack`: the store destination extracts each layer as it stores it (storage_image.h).
std::vector<LoadedImage> pull_local(store::Store& store, const transport::TransportRef& source,
                                    const trust::Policy* policy, const TransferOptions& transfer,
                                    const LoadReferrers& referrers = {}, bool unpack = false);

// What `load` reads: an archive file (compressed or not), or a stream (stdin, a download).
struct LoadInput {
  // The archive's file; empty for a stream. Its absolute path is its policy scope.
  fs::path file;
  Reader* stream = nullptr;  // when `file` is empty
  std::string name;          // for messages: the path as given, "stdin", the URL
  // load --referrers (artifacts/carry_referrers.h): called once the images of an oci-archive
  // are stored, with its referrer entries. A docker-archive cannot hold referrers: with this
  // set, loading one is refused (kInvalidInput) before anything is stored.
  LoadReferrers referrers;
};

// Policy: the archive's type is known only once it is read, so when `policy` rejects both
// "oci-archive:PATH" and "docker-archive:PATH" the load is refused at once, listing both as
// podman does; otherwise the engine admits the type found before any image is copied. A
// stream has no path scope.
std::vector<LoadedImage> load_archive(store::Store& store, const LoadInput& input,
                                      const trust::Policy* policy);

}  // namespace schicht::copy
