// JSON text as Go's encoding/json writes it, for the `json` template function and podman's
// `--format json`: no spaces when compact, MarshalIndent's layout otherwise, Go's string
// escaping (optionally HTML-safe) and Go's float notation.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace schicht::gotemplate {

struct GoJsonStyle {
  // json.Marshal escapes <, > and & as \u003c, \u003e, \u0026; podman's `json` template
  // function turns that off, its `--format json` output keeps it.
  bool escape_html = true;
  // Empty for compact output; otherwise MarshalIndent's indent string (podman: 4 spaces).
  std::string_view indent;
};

std::string go_json(const nlohmann::ordered_json& value, const GoJsonStyle& style);

}  // namespace schicht::gotemplate
