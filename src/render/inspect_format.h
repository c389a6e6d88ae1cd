// inspect's --format as podman runs it over an image's or container's document: the rewrite of
// the template and the Go view of the document. The documents themselves are images/inspect.h's
// and containers/containers.h's.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "gotemplate/template.h"

namespace schicht::render {

// inspect's --format as podman rewrites it before running it (inspectNormalize): `{{.Id}}`
// becomes `{{.ID}}`, and .Src, .Dst, .ImageID, .Config.Healthcheck become the fields they name.
std::string inspect_normalize(std::string_view format, bool image);

// The data inspect's templates run over: podman runs them over its Go structs, whose field
// names are the JSON names except for ID ("Id" in JSON) and HealthCheck ("Healthcheck").
nlohmann::ordered_json inspect_template_view(const nlohmann::ordered_json& doc);
// The Go types of the view's fields where JSON cannot tell them (a nil pointer prints <nil>).
const gotemplate::GoTypes& inspect_template_types();

}  // namespace schicht::render
