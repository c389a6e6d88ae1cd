// The signatures image copy gives its destination: those a docker:// source already has
// (carried_signatures.h) or a dir: source holds (dir_image.h), unless --remove-signatures, and
// new ones (--sign-by, --sign-by-sigstore-private-key), made as push makes them (signatures.h,
// sigstore_signatures.h). docker:// destinations hold all of them; dir: destinations hold
// carried ones, simple signing and sigstore, as skopeo writes them (signature_blobs.h); other
// destinations hold none.
//
// Call order, as copy_image makes it: the constructor before the source is read (it refuses
// signing options the destination cannot honour), read_source() before any blob moves (it
// refuses source signatures the copy cannot keep), write() after commit().
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "copy/carried_signatures.h"
#include "copy/copy_image.h"
#include "core/digest.h"
#include "core/reference.h"
#include "transport/transport_name.h"
#include "trust/registries_d.h"

namespace schicht::copy {

class CopySignatures {
 public:
  // kInvalidInput when signing is asked for and the destination is not docker://; the lookaside
  // staging base and sigstore attachments are checked as push checks them.
  CopySignatures(const transport::TransportRef& source, const transport::TransportRef& destination,
                 const registry::RegistriesConf& conf, const CopyOptions& options);

  // The source's signatures of `digest`, the source manifest the copy writes for the reference
  // (`changes`: written otherwise, by --format or a compression). kUnsupported when there are
  // some and the destination cannot store them or the manifest changes; `source_name` is for
  // that message. `list_type`: the manifest is a whole list, written as that type; a list that
  // changes is refused as containers/image refuses it ("Would invalidate signatures").
  void read_source(const std::string& source_name, const Digest& digest, bool changes,
                   const std::optional<std::string>& list_type = std::nullopt);

  // An instance of a whole list that the copy converts: kUnsupported when the source has
  // signatures of it, as containers/image refuses it, unless --remove-signatures.
  void refuse_converted_instance(const std::string& source_name, const Digest& instance);

  // Stores the carried signatures and makes the new ones for `written`, the digest of the
  // manifest written.
  void write(const Digest& written);

 private:
  registry::RegistryOptions destination_options() const;
  // The signatures the source has of `digest`.
  CarriedSignatures source_signatures(const std::string& source_name, const Digest& digest);

  const transport::TransportRef& source_;
  const transport::TransportRef& destination_;
  const registry::RegistriesConf& conf_;
  const CopyOptions& options_;
  std::shared_ptr<const trust::RegistriesD> registries_d_;
  std::optional<Reference> destination_reference_;  // set when the destination is docker://
  bool destination_is_dir_ = false;
  std::optional<CarriedSignatures> carried_;
};

}  // namespace schicht::copy
