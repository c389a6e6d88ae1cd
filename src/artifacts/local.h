// OCI artifacts in the local store, as podman 5's `artifact` commands keep them: an OCI 1.1
// image manifest with an artifactType, the empty config ("{}") and one layer per file, each
// layer titled (org.opencontainers.image.title) by its file's base name. The rows are in
// store/artifacts.h; this module builds, reads, extracts and removes artifacts, and finds the
// artifacts whose subject is a local image (referrers). The CLI parses and renders.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/fs.h"
#include "oci/descriptor.h"
#include "oci/manifest.h"
#include "store/artifacts.h"
#include "store/store.h"

namespace schicht::artifacts {

inline constexpr std::string_view kTitleAnnotation = "org.opencontainers.image.title";
inline constexpr std::string_view kCreatedAnnotation = "org.opencontainers.image.created";
inline constexpr std::string_view kDefaultFileType = "application/octet-stream";

// The stored name for what a user typed: "foo" -> "localhost/foo:latest" (as `tag` names).
std::string artifact_name(std::string_view text);

// A stored artifact: its row and its manifest.
struct Artifact {
  store::ArtifactInfo info;
  Manifest manifest;
  // Bytes of its layers (what `artifact ls` shows as SIZE).
  uint64_t size() const;
};

// The artifact `text` names (a name, or a prefix of its digest's hex); kNotFound
// "TEXT: artifact does not exist" otherwise, kConflict when a prefix is ambiguous.
Artifact resolve_artifact(store::Store& store, std::string_view text);
std::optional<Artifact> find_artifact(store::Store& store, std::string_view text);
std::vector<Artifact> all_artifacts(store::Store& store);
// The artifact stored under `info`.
Artifact read_artifact(store::Store& store, const store::ArtifactInfo& info);

struct AddOptions {
  std::string artifact_type;                       // --type
  std::map<std::string, std::string> annotations;  // --annotation, on every file's layer
  std::string file_type;                           // --file-type; empty: application/octet-stream
  bool append = false;                             // --append: add files to the existing one
  bool replace = false;                            // --replace: the existing one goes
  std::optional<Descriptor> subject;               // --subject: the image it refers to
  std::map<std::string, std::string> manifest_annotations;  // on the manifest (attach)
};

// `artifact add`: stores `files` as the artifact `name` (normalized); returns its manifest
// digest. Refuses (kInvalidInput) --append with --type or --replace, a missing or non-regular
// file, two layers with one title; kConflict when `name` exists and neither --append nor
// --replace is given; kNotFound with --append when it does not. Nothing changes on failure.
Digest add_artifact(store::Store& store, std::string_view name, const std::vector<fs::path>& files,
                    const AddOptions& options);

// Stores an artifact manifest whose blobs are in the store already, or fetched by `fetch`
// (called for each blob the store lacks with an Ingest to fill). Used by pull.
struct BlobFetch {
  virtual ~BlobFetch() = default;
  virtual void fetch(const Descriptor& blob, Writer& sink) = 0;
};
Digest store_artifact(store::Store& store, const std::string& name, const Manifest& manifest,
                      BlobFetch& fetch, bool replace);

// The descriptor of a local image's manifest, for a subject.
Descriptor local_image_descriptor(store::Store& store, std::string_view image);

// The name `artifact attach` gives an artifact attached to the local image `subject` (as
// typed; `subject_digest` its manifest's) without --name: REPOSITORY:ref-<subject digest>-<hash
// of the file list>, short hex each, REPOSITORY the subject's (localhost/referrers when it has
// no name), so attaching the same files again names the same artifact.
std::string referrer_name(store::Store& store, std::string_view subject,
                          const Digest& subject_digest, const std::vector<std::string>& files);

// `artifact inspect`: {"Manifest": …, "Name": …, "Digest": …} as podman 5 prints it.
std::string inspect_json(const Artifact& artifact);

// `artifact extract`: into directory `target` each layer as its title (else its digest with
// "-" for ":"); into a file `target` the one layer (several: kInvalidInput). `digest`/`title`
// choose one layer. Titles that are not plain file names are refused.
void extract_artifact(store::Store& store, const Artifact& artifact, const fs::path& target,
                      const std::optional<std::string>& digest,
                      const std::optional<std::string>& title);

// The stored artifacts whose subject is the manifest `subject`.
std::vector<Artifact> local_referrers(store::Store& store, const Digest& subject);

// The descriptor a referrers index lists for an artifact manifest (distribution spec 1.1: its
// artifactType, else its config's media type, and its annotations).
Descriptor referrer_descriptor(const Manifest& manifest);

// `artifact discover` of a local image: the descriptor of the manifest `image` names and those
// of the stored artifacts that refer to it.
struct Discovered {
  Descriptor subject;
  std::vector<Descriptor> referrers;
};
Discovered discover_local(store::Store& store, std::string_view image);

}  // namespace schicht::artifacts
