// A yaml-cpp parse error in schicht's words: "line L, column C: what went wrong", without the
// library's own prefix (registries.d and image sync's YAML file report it).
#pragma once

#include <string>

namespace YAML {
class Exception;
}

namespace schicht::trust {

std::string yaml_error_text(const YAML::Exception& e);

}  // namespace schicht::trust
