// podman's define.Version for schicht: the `version` report's Client and `info`'s version block.
#pragma once

#include <nlohmann/json.hpp>

namespace schicht::cli {

// APIVersion, Version, OsArch, Os: define.Version less what only a Go build has (GoVersion,
// GitCommit, Built, BuiltTime). schicht has no service, so its API version is its own version.
nlohmann::ordered_json version_report();

}  // namespace schicht::cli
