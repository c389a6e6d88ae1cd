// `pull --referrers` and `push --referrers`: after an image went between a registry and the
// store with its manifest digest unchanged, the manifests that refer to it (and those that refer
// to them, as deep as copy_referrers.h goes) follow it, byte-exact.
//
// Pulled referrers become stored artifacts with their subject, named
// "<image repository>:ref-<subject short hex>-<referrer short hex>" (as `artifact attach` names
// local referrers); one whose digest the store holds already as an artifact is skipped. They are
// artifacts of their own: GC keeps them while they exist and `rmi` of the image leaves them (as
// oras and containerd keep referrers as separate content); `artifact rm` removes them.
#pragma once

#include <cstddef>

#include "copy/image_destination.h"
#include "copy/options.h"
#include "copy/store_input.h"
#include "core/digest.h"
#include "core/reference.h"
#include "registry/registries_conf.h"
#include "store/store.h"

namespace schicht::artifacts {

// Stores the referrers of the manifest `subject` in `source`'s repository (the image pull just
// stored from there). Returns how many artifacts were stored.
size_t pull_referrers(store::Store& store, const Reference& source, const Digest& subject,
                      const registry::RegistriesConf& conf, const copy::TransferOptions& options);

// Pushes the stored artifacts that refer to `subject` (and theirs) to `destination`'s repository
// by digest and records them as referrers there. `pushed` is the digest the image push returned:
// when it is not `subject` (the push converted the manifest), kIntegrity and nothing is pushed.
// Returns how many artifacts were pushed.
size_t push_referrers(store::Store& store, const Digest& subject, const Digest& pushed,
                      const Reference& destination, const registry::RegistriesConf& conf,
                      const copy::TransferOptions& options);

// `save --referrers`: writes the stored artifacts that refer to `subject` (and theirs) into the
// OCI layout `layout` (save.h's SaveOptions::referrers) byte-exact, manifests and blobs in
// blobs/, each listed in index.json by its referrer descriptor (artifactType, annotations, no
// ref.name), as oras lays referrers out. `top` is the digest of the layout's image entry: when
// it is not `subject` (save converted the manifest), kIntegrity and nothing is written.
// Returns how many artifacts were written.
size_t save_referrers(store::Store& store, const Digest& subject, const Digest& top,
                      copy::ImageDestination& layout, const copy::ReportLine& report);

// `load --referrers`: of the referrers an oci-archive lists (store_input.h's LoadReferrers),
// those whose subject is a loaded image (or such a referrer, to kMaxReferrerDepth) are stored
// as artifacts with their subject, byte-exact, named as pull_referrers names them (by the
// image's first name's repository; "localhost/referrers" for an image without a name). One the
// store holds already is skipped; kIntegrity for a manifest that does not match its digest.
// The images stay loaded when a referrer fails. Returns how many artifacts were stored.
size_t load_referrers(store::Store& store, std::vector<copy::LayoutReferrer>& referrers,
                      const std::vector<copy::LoadedImage>& images, const copy::ReportLine& report);

}  // namespace schicht::artifacts
