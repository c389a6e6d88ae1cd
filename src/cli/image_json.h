// The JSON documents podman prints for an image: `inspect` and the `history` rows. Built from
// the store's rows plus the config blob (the only blob these commands read).
#pragma once

#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/digest.h"
#include "gotemplate/template.h"
#include "store/store.h"

namespace schicht {
struct ImageConfig;
}

namespace schicht::cli {

// podman's ImageData, field for field and in its order.
nlohmann::ordered_json inspect_json(store::Store& store, const Digest& id);

// The image's config, parsed (kIntegrity when the blob is missing or damaged).
ImageConfig load_config(store::Store& store, const Digest& id);

// The names that carry a tag (podman's RepoTags): a name recorded by a pull by digest has none.
std::vector<std::string> repo_tags(const store::ImageInfo& image);

// inspect's --format as podman rewrites it before running it (inspectNormalize): `{{.Id}}`
// becomes `{{.ID}}`, and .Src, .Dst, .ImageID, .Config.Healthcheck become the fields they name.
std::string inspect_normalize(std::string_view format, bool image);

// The data inspect's templates run over: podman runs them over its Go structs, whose field
// names are the JSON names except for ID ("Id" in JSON) and HealthCheck ("Healthcheck").
nlohmann::ordered_json inspect_template_view(const nlohmann::ordered_json& doc);
// The Go types of the view's fields where JSON cannot tell them (a nil pointer prints <nil>).
const gotemplate::GoTypes& inspect_template_types();

// "repo@digest" for every repository the image is named in and every manifest digest it has.
std::vector<std::string> repo_digests(const store::ImageInfo& image);

}  // namespace schicht::cli
