// `image copy --referrers`: the manifests that refer to the image copied (and, in turn, those
// that refer to them: a signature of an SBOM) go along, byte-exact, between any two transports
// that can hold referrers:
//   docker://            the referrers API, else the tag schema (remote.h);
//   oci:, oci-archive:   index.json entries with an artifactType (as `save --referrers` and oras
//                        lay them out), written into the layout before it is committed, so the
//                        layout is written with them or not at all;
//   containers-storage:  stored artifacts with a subject, named as `pull --referrers` names them
//                        (carry_referrers.h).
// A docker-archive: or dir: (or any other transport) holds no referrers: kInvalidInput before
// anything is copied, naming it, so that none are ever dropped unnoticed.
#pragma once

#include <cstddef>
#include <memory>

#include "copy/copy_image.h"
#include "copy/options.h"
#include "registry/registries_conf.h"
#include "transport/transport_name.h"

namespace schicht::artifacts {

// Referrers of referrers are followed this deep (a signature of an SBOM of an image is 2); pull
// and push --referrers (carry_referrers.h) go as deep.
inline constexpr int kMaxReferrerDepth = 4;

// Whether `ref`'s transport can hold referrers.
bool holds_referrers(const transport::TransportRef& ref);

// One `image copy --referrers`. Made before the copy (kInvalidInput when a side cannot hold
// referrers); attach() sets the copy's CopyOptions::before_commit, which learns the digest the
// copy wrote and writes the referrers into a layout destination; finish(), after the copy,
// carries them to a registry or the store (where the image must exist first). kIntegrity (no
// referrer written) when the source does not hold the manifest the copy wrote: the copy
// changed its digest, so the referrers' subject would be wrong.
class ReferrerCopy {
 public:
  ReferrerCopy(const transport::TransportRef& from, const transport::TransportRef& to,
               const registry::RegistriesConf& conf, const copy::CopyOptions& options);
  ~ReferrerCopy();
  ReferrerCopy(const ReferrerCopy&) = delete;
  ReferrerCopy& operator=(const ReferrerCopy&) = delete;

  void attach(copy::CopyOptions& options);
  // Returns how many referrers were copied in all.
  size_t finish();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace schicht::artifacts
