#include "store/config_facts.h"

#include <nlohmann/json.hpp>

namespace schicht::store {

void take_config_facts(NewImage& image, const ImageConfig& config) {
  image.os = config.os;
  image.architecture = config.architecture;
  image.variant = config.variant;
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [key, value] : config.config.labels) labels[key] = value;
  image.labels_json = labels.dump();
}

}  // namespace schicht::store
