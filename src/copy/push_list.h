// Pushing a manifest list or image index as one copy (copy_image.h's engine, with the list as a
// source of many images: local_list.h): the images it references first (each by digest,
// byte-exact), then the list itself under the destination's tag.
#pragma once

#include <string>
#include <string_view>

#include "copy/push.h"
#include "store/lists.h"

namespace schicht::copy {

// Puts the list `bytes` of type `media_type` (named `name` in messages) at `destination` (tag
// "latest" when it has none) after copying, when `all`, every entry's image to
// destination@digest: from the store when it is there, else from the repository `sources`
// names for it. An entry found in neither fails before anything is written (kNotFound). With
// `options.format`, instances of the other format are converted and the list rewritten to
// name them (convert.h). With --sign-by or a sigstore key, every instance pushed and the list
// are signed as `destination`. Returns the list's digest as written.
Digest push_list(store::Store& store, std::string_view name, std::string_view bytes,
                 std::string_view media_type, const store::ListSources& sources, bool all,
                 const Reference& destination, const registry::RegistriesConf& conf,
                 const PushOptions& options);

}  // namespace schicht::copy
