// Checking credentials against a registry before `login` stores them, as podman does.
//
// One GET /v2/ over https (plain http only when the registry is insecure): a 200 means the
// registry asks for no credentials, which podman counts as success. A 401 is answered with the
// credentials, Basic or through a bearer token from the challenge's realm, and the retried
// request must then give 200.
// Stateless; safe to call from any thread.
#pragma once

#include <string_view>

#include "registry/auth.h"
#include "registry/registry_client.h"

namespace schicht::copy {

// kAuth "invalid username/password" when the registry or its token server refuses them;
// kNetwork "pinging container registry HOST: …" when it cannot be reached or is no registry.
void check_login(std::string_view host, const registry::RegistryOptions& options,
                 const registry::Credentials& credentials);

}  // namespace schicht::copy
