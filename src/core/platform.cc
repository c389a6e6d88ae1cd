#include "core/platform.h"

namespace schicht {

std::string Platform::str() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

}  // namespace schicht
