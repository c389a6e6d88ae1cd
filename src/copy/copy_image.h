// copy_image: an image from one transport to another, as `skopeo copy` moves it. The source's
// policy is evaluated before anything of it is read; blobs the destination has (or can mount)
// are not moved; manifests go byte-exact, so digests stay what the source says.
//
// Transports: docker://, oci:DIR[:REF], oci-archive:, docker-archive:, dir: and
// containers-storage:NAME (the local store), either side.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "archive/compression.h"
#include "copy/convert.h"
#include "copy/image_destination.h"
#include "copy/image_source.h"
#include "copy/options.h"
#include "registry/registries_conf.h"
#include "store/store.h"
#include "transport/transport_name.h"
#include "trust/evaluate.h"
#include "trust/policy.h"
#include "trust/registries_d.h"
#include "trust/sigstore_key.h"

namespace schicht::copy {

enum class MultiArch {
  kSystem,     // an index gives the instance for this machine, copied on its own
  kAll,        // every instance, then the index
  kIndexOnly,  // the index alone (the destination must accept one)
};

// "system", "all", "index-only"; kInvalidInput otherwise.
MultiArch parse_multi_arch(std::string_view text);

struct CopyOptions {
  MultiArch multi_arch = MultiArch::kSystem;
  // Fail instead of copying what would get another digest.
  bool preserve_digests = false;
  // jobs and report; `registry` is unused (the two sides have their own).
  TransferOptions transfer;
  registry::RegistryOptions source_registry;
  registry::RegistryOptions destination_registry;
  // MultiArch::kAll: an instance for which this returns false is not copied (the list, copied
  // byte-exact, still names it). Null: every instance.
  std::function<bool(const Descriptor& instance)> copies_instance;
  // The local store, opened when a side is containers-storage: (and only then).
  std::function<store::Store&()> store;
  // The additional read-only image stores (store/storage_conf.h), opened when asked for: a
  // containers-storage: source the store lacks is looked up in each, in order. Null: none.
  std::function<std::vector<store::Store*>()> additional_stores;
  // Signatures of a docker:// source are carried to a docker:// destination
  // (carried_signatures.h) unless this is set; to any other destination they are refused.
  bool remove_signatures = false;
  // --format: the manifest of the image copied is converted to this format (convert.h).
  std::optional<ManifestFormat> format;
  // --dest-compress-format / --dest-compress: layers in another compression (or none) are
  // recompressed as this one (recompress.h); zstd makes a Docker manifest an OCI one unless
  // --format v2s2 is asked for, which is refused then.
  std::optional<Compression> compression;
  int compression_level = kDefaultCompressionLevel;
  // Without `compression`: a layer stored uncompressed goes gzipped (push's default, as podman's,
  // and dir: --compress); the manifest then changes.
  bool gzip_uncompressed_layers = false;
  // A blob whose copy fails on the network starts again from its first byte, up to
  // destination_registry.http.max_retries times (push's --retry: a streamed upload cannot be
  // replayed by the HTTP client).
  bool retry_blobs = false;
  // Signing the copied image at a docker:// destination, after its manifest is written, as push
  // signs (signatures.h, sigstore_signatures.h): a GPG key for a simple signing signature in
  // the lookaside staging storage of `registries_d`, and/or a decrypted sigstore key whose
  // signature is attached in the registry.
  std::string sign_by;
  std::optional<trust::SigstoreKey> sigstore_key;
  std::shared_ptr<const trust::RegistriesD> registries_d;
  // copy_image calls it with the digest the copy would write once the source's manifests are
  // read, before signatures or blobs: true ends the copy there, nothing written (image sync
  // skips what its destination holds already, and --dry-run copies nothing). A manifest or list
  // converted (--format, a compression) is given with the digest it will be written with,
  // computed without writing it; only when a layer would be recompressed, which is needed to
  // know its new digest, is the source's digest given instead.
  std::function<bool(const Digest& would_write)> skip;
  // copy_image calls it with the digest of the top manifest written and the destination just
  // before the destination commits (image copy --referrers adds referrers to an OCI layout
  // there, so that the layout is written with them or not at all: artifacts/copy_referrers.h).
  std::function<void(const Digest& top, ImageDestination& destination)> before_commit;
};

// `policy` is null only for --insecure-policy. kPolicy when it rejects the source (nothing
// read); kUnsupported for a transport this engine does not handle yet, or a manifest type the
// destination cannot store without changing it; kInvalidInput for signing options a
// destination cannot hold (signatures go to docker:// only), checked before anything is read.
void copy_image(const trust::Policy* policy, const transport::TransportRef& source,
                const transport::TransportRef& destination, const registry::RegistriesConf& conf,
                const CopyOptions& options);

// The policy check of the engine's entry (copy_admitted): before_open() before the source is
// opened (kPolicy when policy.json rejects it), then admit_manifest() with the top manifest
// the engine read (an image, or a list), before any instance or blob is read: where an
// admission that needs signatures checks them (a docker:// pull: pull.cc, pull_trust.h).
class SourceAdmission {
 public:
  virtual ~SourceAdmission() = default;
  virtual void before_open() = 0;
  virtual void admit_manifest(ImageSource& source, const RawManifest& top) = 0;
};

// policy.json for a source that carries no signatures: `subject` (what the source is for it:
// transport/source_policy.h) is admitted before it is opened. `policy` is null only for
// --insecure-policy.
std::unique_ptr<SourceAdmission> unsigned_admission(const trust::Policy* policy,
                                                    trust::Subject subject);

// The entry for commands that open their own source and destination (pull, load:
// store_input.h, pull.h): `admission` first, so a refused source is not opened; then
// `open_source`, then `open_destination` with the opened source, whose top manifest has been
// read and admitted (its carried names are known), then copy_between. Returns what
// copy_between returns.
Digest copy_admitted(
    SourceAdmission& admission, const std::function<std::unique_ptr<ImageSource>()>& open_source,
    const std::function<std::unique_ptr<ImageDestination>(ImageSource&)>& open_destination,
    const CopyOptions& options);

// The engine itself, for callers that open their own source and destination (the policy is
// theirs to check): the image `source` names, whatever it is, as copy_image copies it. Returns
// the digest of the manifest (or list) written for the reference.
Digest copy_between(ImageSource& source, ImageDestination& destination, const CopyOptions& options);

// The destination `ref` names, as copy_image opens it (push opens its own this way).
// kUnsupported for a transport the engine cannot write.
std::unique_ptr<ImageDestination> open_destination(const transport::TransportRef& ref,
                                                   const registry::RegistriesConf& conf,
                                                   const CopyOptions& options);

// The reference a docker:// TransportRef names, tagged "latest" when it has no tag or digest.
Reference docker_reference(const transport::TransportRef& ref);

// Which side of a copy a registry is on: its RegistryOptions differ (--src-creds, --dest-creds).
enum class CopySide { kSource, kDestination };

// The options copy_image talks to `reference`'s registry with on `side`: that side's
// RegistryOptions with registries.conf's `insecure` (endpoint_options); kPolicy when
// registries.conf blocks the registry.
registry::RegistryOptions copy_endpoint(const Reference& reference,
                                        const registry::RegistriesConf& conf,
                                        const CopyOptions& options, CopySide side);

// Only an image manifest: kUnsupported for an index or list.
Digest copy_one_image(ImageSource& source, ImageDestination& destination,
                      const CopyOptions& options);

}  // namespace schicht::copy
