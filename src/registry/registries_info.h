// registries.conf as podman's `info` shows it under "registries": each [[registry]] by its
// prefix with the fields of containers/image's sysregistriesv2.Registry, and "search" for the
// unqualified-search registries when there are any.
#pragma once

#include <nlohmann/json.hpp>

#include "registry/registries_conf.h"

namespace schicht::registry {

nlohmann::ordered_json registries_info(const RegistriesConf& conf);

}  // namespace schicht::registry
