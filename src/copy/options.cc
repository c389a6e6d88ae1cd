#include "copy/options.h"

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::copy {

registry::RegistryOptions endpoint_options(const Reference& reference,
                                           const registry::RegistriesConf& conf,
                                           const TransferOptions& options) {
  registry::Endpoint endpoint = conf.endpoint(reference);
  if (endpoint.blocked) {
    fail(ErrorKind::kPolicy,
         fmt::format("registry {} is blocked in registries.conf", reference.domain));
  }
  registry::RegistryOptions out = options.registry;
  out.insecure = endpoint.insecure;
  return out;
}

}  // namespace schicht::copy
