// docker://: an image in a registry repository as an ImageSource and an ImageDestination, on
// top of registry::RegistryClient. Blobs between repositories of one registry are mounted, not
// copied.
#pragma once

#include <memory>

#include "copy/image_destination.h"
#include "copy/image_source.h"
#include "core/reference.h"
#include "registry/registry_client.h"

namespace schicht::copy {

// `reference` names the manifest by tag or digest ("latest" when it has neither). The client
// is shared by the threads copy_image uses (RegistryClient is thread-safe).
std::unique_ptr<ImageSource> docker_source(const Reference& reference,
                                           const registry::RegistryOptions& options);
// The same on a client the caller has (and keeps alive longer than the source): pull resolves
// the manifest and checks signatures on it first, so the copy reuses its connection and token.
std::unique_ptr<ImageSource> docker_source(const Reference& reference,
                                           registry::RegistryClient& client);

// Instances go under their digests as put_manifest() gives them; the top manifest is written
// by commit(), under the reference's digest when it has one, else its tag ("latest" when it
// has neither). Destroyed before commit(), it leaves no manifest named by the reference; the
// blobs and instance manifests it uploaded stay, unreferenced.
std::unique_ptr<ImageDestination> docker_destination(const Reference& reference,
                                                     const registry::RegistryOptions& options);

}  // namespace schicht::copy
