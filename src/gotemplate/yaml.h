// YAML as podman writes its reports (`info`): JSON turned into YAML by sigs.k8s.io/yaml, i.e.
// go-yaml v2's output for the JSON's maps. Keys sorted as go-yaml sorts them (runs of digits
// by value), sequences in a map at the map's indentation ("key:\n- a"), and go-yaml's scalar
// styles: strings that would read back as something else ("", "12", "true", "null") double
// quoted, strings plain YAML cannot hold (": ", leading indicators) single quoted, multi-line
// strings as `|-` blocks.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace schicht::gotemplate {

// The YAML text of `value`, ending with a newline.
std::string go_yaml(const nlohmann::ordered_json& value);

}  // namespace schicht::gotemplate
