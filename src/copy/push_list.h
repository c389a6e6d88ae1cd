// Pushing a manifest list or image index: the images it references first (each by digest,
// byte-exact, with push_image), then the list itself under the destination's tag.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "copy/push.h"
#include "oci/descriptor.h"
#include "store/lists.h"

namespace schicht::copy {

// Puts the list `bytes` of type `media_type` at `destination` (tag "latest" when it has none)
// after pushing, when `all`, every entry's image to destination@digest: from the store when
// it is there (byte-exact, with push_image), else copied from the repository `sources` names
// for it. An entry found in neither, or whose stored manifest would not push to that digest,
// fails before the list is written (kNotFound / kConflict). With a sigstore key, every instance
// pushed and the list are signed as `destination`. Returns the list's digest.
Digest push_list(store::Store& store, std::string_view bytes, std::string_view media_type,
                 const std::vector<Descriptor>& entries, const store::ListSources& sources,
                 bool all, const Reference& destination, const registry::RegistriesConf& conf,
                 const PushOptions& options);

}  // namespace schicht::copy
