// What `pull NAME` means: the registries to try, as podman 4.3 resolves names.
//
// - "docker://REF" is a Docker reference, normalized to docker.io as Docker does; no short-name
//   resolution. Other transports (transport/transport_name.h) are refused: the local ones are
//   pulled by copy/store_input.h before a name gets here.
// - A name whose first component is a registry (has_explicit_domain) is used as it is.
// - A short name ("busybox", "ns/app:1") is an alias from registries.conf when one is defined,
//   else one candidate per unqualified-search registry, in order; without either it is an
//   error naming the configuration file. Short-name mode "enforcing" would prompt on a
//   terminal; schicht never prompts and tries the candidates in order, as podman does without
//   a terminal.
// Every candidate has a tag or a digest (":latest" when the name has neither; a name with both
// keeps only the digest).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/reference.h"
#include "registry/registries_conf.h"

namespace schicht::copy {

struct PullCandidates {
  std::vector<Reference> references;
  // How podman says a short name was resolved ("Resolved \"x\" as an alias (FILE)"), or "".
  std::string note;
};

// kInvalidInput for what is not a reference (podman's "Invalid image name" message),
// kUnsupported for other transports, kNotFound for an unresolvable short name.
PullCandidates resolve_pull_name(std::string_view text, const registry::RegistriesConf& conf,
                                 const registry::RegistriesConfSources& sources);

// Whether `text` names a transport other than docker:// ("oci-archive:", "docker-daemon:";
// transport/transport_name.h).
bool names_other_transport(std::string_view text);

// A pull reference as the docker transport reads it ("docker://" optional): normalized, with a
// tag or digest. kInvalidInput as above.
Reference parse_docker_name(std::string_view text);

}  // namespace schicht::copy
