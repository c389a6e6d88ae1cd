#include "trust/yaml_error.h"

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

namespace schicht::trust {

std::string yaml_error_text(const YAML::Exception& e) {
  if (e.mark.is_null()) return e.msg;
  return fmt::format("line {}, column {}: {}", e.mark.line + 1, e.mark.column + 1, e.msg);
}

}  // namespace schicht::trust
