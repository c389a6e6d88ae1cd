#include "copy/copy_signatures.h"

#include <fmt/format.h>

#include "copy/dir_image.h"
#include "copy/signature_blobs.h"
#include "copy/signatures.h"
#include "copy/sigstore_signatures.h"
#include "core/error.h"

namespace schicht::copy {
namespace {

using transport::Transport;

void report(const CopyOptions& options, const std::string& line) {
  if (options.transfer.report) options.transfer.report(line);
}

}  // namespace

CopySignatures::CopySignatures(const transport::TransportRef& source,
                               const transport::TransportRef& destination,
                               const registry::RegistriesConf& conf, const CopyOptions& options)
    : source_(source),
      destination_(destination),
      conf_(conf),
      options_(options),
      registries_d_(options.registries_d) {
  if (destination.transport == Transport::kDocker) {
    destination_reference_ = docker_reference(destination);
  }
  destination_is_dir_ = destination.transport == Transport::kDir;
  if (options.sign_by.empty() && !options.sigstore_key) return;
  if (!destination_reference_) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("cannot sign {}: signatures are stored for docker:// destinations only",
                     destination.str()));
  }
  if (!options.sign_by.empty()) {
    if (!registries_d_) registries_d_ = load_registries_d("");
    // The staging base must be writable; the digest only names the subdirectory.
    lookaside_write_dir(*registries_d_, *destination_reference_, Digest::sha256_of(""));
  }
  if (options.sigstore_key) require_sigstore_attachments(registries_d_, *destination_reference_);
}

CarriedSignatures CopySignatures::source_signatures(const std::string& source_name,
                                                    const Digest& digest) {
  if (source_.transport == Transport::kDocker) {
    if (!registries_d_) registries_d_ = load_registries_d("");
    Reference from = docker_reference(source_);
    return read_carried_signatures(*registries_d_, from, digest,
                                   copy_endpoint(from, conf_, options_, CopySide::kSource));
  }
  if (source_.transport == Transport::kDir) {
    return signatures_from_blobs(read_dir_signatures(source_.path), source_name);
  }
  return {};
}

void CopySignatures::read_source(const std::string& source_name, const Digest& digest, bool changes,
                                 const std::optional<std::string>& list_type) {
  if (options_.remove_signatures) return;
  CarriedSignatures found = source_signatures(source_name, digest);
  if (found.size() == 0) return;
  bool stores = destination_reference_ || destination_is_dir_;
  if (!stores) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{} has {} signature(s), which {} cannot store: copy with "
                     "--remove-signatures to leave them behind",
                     source_name, found.size(), destination_.str()));
  }
  if (changes && list_type) {
    fail(ErrorKind::kUnsupported,
         fmt::format("Manifest list must be converted to type {:?} to be written to destination, "
                     "but we cannot modify it: {:?}; {} has {} signature(s): copy with "
                     "--remove-signatures to leave them behind",
                     *list_type, "Would invalidate signatures", source_name, found.size()));
  }
  if (changes) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{} has {} signature(s), which changing its manifest would invalidate: copy "
                     "with --remove-signatures to leave them behind",
                     source_name, found.size()));
  }
  if (destination_reference_) {
    const Reference& to = *destination_reference_;
    if (source_.transport == Transport::kDocker) {
      Reference from = docker_reference(source_);
      if (to.domain == from.domain && to.path == from.path) return;  // already there
    }
    if (!registries_d_) registries_d_ = load_registries_d("");
    check_carried_destination(found, registries_d_, to);
  }
  carried_ = std::move(found);
}

void CopySignatures::refuse_converted_instance(const std::string& source_name,
                                               const Digest& instance) {
  // Only a registry has signatures of each instance (dir: keeps the top manifest's).
  if (options_.remove_signatures || source_.transport != Transport::kDocker) return;
  CarriedSignatures found = source_signatures(source_name, instance);
  if (found.size() == 0) return;
  fail(ErrorKind::kUnsupported,
       fmt::format("copying image {} of {}: it has {} signature(s), and converting it would "
                   "invalidate them ({:?}): copy with --remove-signatures to leave them behind",
                   instance.str(), source_name, found.size(), "Would invalidate signatures"));
}

registry::RegistryOptions CopySignatures::destination_options() const {
  return copy_endpoint(*destination_reference_, conf_, options_, CopySide::kDestination);
}

void CopySignatures::write(const Digest& written) {
  if (carried_ && destination_is_dir_)
    write_dir_signatures(destination_.path, signature_blobs(*carried_));
  if (carried_ && destination_reference_) {
    write_carried_signatures(*carried_, *registries_d_, *destination_reference_, written,
                             destination_options());
  }
  // The identity is the destination as written, tagged (containers/image signs that).
  if (!options_.sign_by.empty()) {
    report(options_, "Signing manifest using simple signing");
    std::string signature = sign_simple(*destination_reference_, written, options_.sign_by);
    write_lookaside_signature(lookaside_write_dir(*registries_d_, *destination_reference_, written),
                              signature);
  }
  if (options_.sigstore_key) {
    report(options_, "Signing manifest using a sigstore signature");
    registry::RegistryClient client(destination_reference_->domain, destination_options());
    push_sigstore_signature(client, destination_reference_->path, written,
                            destination_reference_->with_default_tag().str(),
                            *options_.sigstore_key);
  }
}

}  // namespace schicht::copy
