// The archive transports, read in place and written in one pass:
//
// - oci-archive:PATH[:REF]: a tar of an OCI image layout. REF chooses the index.json entry as
//   for oci: (choose_layout_entry). Manifests and blobs are served byte-exact, so digests are
//   the archive's.
// - docker-archive:PATH[:REF]: `docker save`'s format (manifest.json, the config, layer tars,
//   repositories). REF is a name:tag among an entry's RepoTags, or @N, the N-th entry of
//   manifest.json; without REF the archive must hold one image. The archive has no manifest:
//   the source generates the Docker schema 2 manifest containers/image generates (and `load`
//   stores), whose config is the config file as it is and whose layers are each layer file
//   decompressed, named by the sha256 of those bytes (which must be the config's diff_id) and
//   typed as gzip. So a docker-archive image has the same manifest digest here, after `load`,
//   and in skopeo; its layers are served uncompressed. An uncompressed layer (as docker save
//   writes them) is not read to make the manifest: its size is its tar member's, its digest the
//   config's diff_id, checked as it is copied (a mismatch fails before the reader ends, naming
//   the diffID). A compressed layer is read once for the manifest (its uncompressed size and
//   digest, checked against the diff_id then), as containers/image reads it.
//
// Sources index the tar once (archive/tar_index.h) and serve each blob by pread from its range
// of the file: nothing is extracted, blobs may be read at once, links are followed within the
// archive only. A compressed archive (a gzipped docker save) is refused with kUnsupported: it
// has no ranges to read in place (load reads such a file in one pass).
//
// Destinations write the archive as PATH.tmp-* beside PATH, each blob streamed into it as its
// tar entry (sizes come from descriptors), and rename it over PATH in commit(); destroyed before
// commit() they remove it, so PATH is never half written. Blobs are written one at a time, in
// the order put_blob is called. oci-archive stores manifests byte-exact (OCI types only, as
// oci:). docker-archive stores no manifest at all: manifest.json names <config-hex>.json and the
// layers uncompressed as <diffID-hex>.tar, as skopeo and podman write them (a compressed layer
// is decompressed through a temp file: a tar entry needs its size first), with RepoTags [REF]
// when REF is a name:tag, and a repositories file as skopeo writes it. Reading it back yields the
// generated manifest above, so --preserve-digests refuses a docker-archive destination.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "archive/tar_index.h"
#include "copy/image_destination.h"
#include "copy/image_source.h"
#include "core/fs.h"
#include "oci/index.h"

namespace schicht::copy {

// The largest config a docker-archive source reads (manifests and index.json: the registry
// manifest limit, kManifestSizeLimit; for load, manifest.json and index.json, which list
// every image, this one: OpenedArchive).
inline constexpr size_t kArchiveConfigLimit = size_t{64} << 20;

// `name` is the reference as typed ("oci-archive:/tmp/a.tar:1"), for messages.
std::unique_ptr<ImageSource> oci_archive_source(const fs::path& file, const std::string& ref,
                                                const std::string& name);
// An archive file indexed once, its manifest.json or index.json parsed once, shared by the
// sources of its entries: load copies every entry of one archive (thousands, in one file).
// Documents are parsed on first use; blobs may then be read from several threads.
class OpenedArchive {
 public:
  // `json_limit`: the most bytes manifest.json or index.json may have (load allows
  // kArchiveConfigLimit; the sources of a TRANSPORT:PATH open theirs with the registry manifest
  // limit, kManifestSizeLimit).
  OpenedArchive(fs::path file, size_t json_limit);
  const fs::path& file() const { return file_; }
  const TarIndex& tar() const { return tar_; }
  // manifest.json: a non-empty array (kInvalidInput naming the archive otherwise).
  const nlohmann::json& docker_manifest();
  // index.json.
  const Index& oci_index();

 private:
  fs::path file_;
  size_t json_limit_;
  TarIndex tar_;
  std::optional<nlohmann::json> docker_manifest_;
  std::optional<Index> oci_index_;
};

// The `entry`-th entry of index.json, whatever its ref.name, and the `entry`-th of
// manifest.json: load takes every entry.
std::unique_ptr<ImageSource> oci_archive_entry_source(std::shared_ptr<OpenedArchive> archive,
                                                      size_t entry, const std::string& name);
std::unique_ptr<ImageSource> docker_archive_entry_source(std::shared_ptr<OpenedArchive> archive,
                                                         size_t entry, const std::string& name);
std::unique_ptr<ImageSource> docker_archive_source(const fs::path& file, const std::string& ref,
                                                   const std::string& name);

// `verify` false: the source's blobs were verified when they were stored (save reads the
// store), so they are written without being hashed again; the engine's other callers verify.
std::unique_ptr<ImageDestination> oci_archive_destination(const fs::path& file,
                                                          const std::string& ref,
                                                          const std::string& name,
                                                          bool verify = true);
std::unique_ptr<ImageDestination> docker_archive_destination(const fs::path& file,
                                                             const std::string& ref,
                                                             const std::string& name);

// Several images in one docker-archive (save -m): image(TAGS) is a destination for one more
// image, its RepoTags TAGS (each a name:tag, normalized); its commit() adds the image's
// manifest.json entry, and the writer's commit() then writes the archive (kInternal without an
// image). Destroyed before commit(), nothing is left at `file`. `verify` as for
// oci_archive_destination.
class DockerArchiveWriter {
 public:
  virtual ~DockerArchiveWriter() = default;
  virtual std::unique_ptr<ImageDestination> image(const std::vector<std::string>& tags) = 0;
  virtual void commit() = 0;
};

std::unique_ptr<DockerArchiveWriter> docker_archive_writer(const fs::path& file,
                                                           const std::string& name,
                                                           bool verify = true);

}  // namespace schicht::copy
