// What `inspect` shows of an image's supply chain, without changing podman's JSON: the stored
// artifacts that refer to the image are two extra fields of the template view only,
//   {{.Referrers}}   every artifact whose subject is the image's manifest, oldest first;
//   {{.Signatures}}  those of them that are signatures (a Sigstore bundle, a cosign signature),
// each {Digest ArtifactType Name}. They are added only when a --format template names them, so
// the default output and `{{json .}}` stay exactly podman 4.3's.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "gotemplate/template.h"
#include "store/store.h"

namespace schicht::artifacts {

// Whether `format` (an inspect --format template) names one of the fields.
bool names_supply_chain_fields(std::string_view format);

// Adds "Referrers" and "Signatures" for the manifest `subject` to `view` (a template view).
void add_supply_chain_fields(store::Store& store, const Digest& subject,
                             nlohmann::ordered_json& view);

// Their Go types, for the template (gotemplate's GoTypes), added to `types`.
void add_supply_chain_types(gotemplate::GoTypes& types);

}  // namespace schicht::artifacts
