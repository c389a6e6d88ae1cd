// Platforms (os/architecture/variant) of images and of this machine, and how they match.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace schicht {

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string os_version;
  std::vector<std::string> os_features;

  // "os/arch[/variant]"
  std::string str() const;
  bool operator==(const Platform&) const = default;
};

}  // namespace schicht
