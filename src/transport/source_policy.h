// policy.json for an image entering the store: the one place that says which policy identity
// and scopes a source has (containers-policy.json(5)) and the check without signatures. The
// copy engine calls it for every copy (copy/copy_image.h: copy_image, copy_admitted), so pull
// and load are checked there; import_tarball, which is no copy, calls it itself; registry
// pulls build their subject here and check signatures in copy/pull_trust.h.
//
// Scopes per transport: docker: the reference, its repository, namespaces, host and wildcards
// (trust/scope.h); oci, oci-archive, dir: the absolute, symlink-free path and its parents;
// docker-archive and tarball: only the transport's "" scope; containers-storage: the store
// ("[vfs@ROOT]") with the image's name and ID (storage_name.h).
#pragma once

#include "core/fs.h"
#include "core/reference.h"
#include "transport/transport_name.h"
#include "trust/evaluate.h"
#include "trust/policy.h"

namespace schicht::transport {

trust::Subject policy_subject(const TransportRef& source);
trust::Subject docker_subject(const Reference& reference);
// A containers-storage: image in the store at `store_root` (policy_subject cannot know it).
trust::Subject storage_subject(const TransportRef& source, const fs::path& store_root);

// Evaluates `policy` for `source` (which carries no signatures); kPolicy when it rejects,
// naming the scope and requirement. `policy` is null only for --insecure-policy.
void admit_source(const trust::Policy* policy, const TransportRef& source);
void admit_subject(const trust::Policy* policy, const trust::Subject& subject);

}  // namespace schicht::transport
