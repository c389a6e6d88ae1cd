// The options of the manifest commands that share flag groups: the platform and annotation
// flags of `add` and `annotate`, the registry flags of `create`, `add` and `inspect`. Plain data
// (command_table.cc binds the flags to the members); cmd_manifest.cc applies them.
#pragma once

#include <string>
#include <vector>

namespace schicht::cli {

// The platform and annotation flags `add` and `annotate` share.
struct ManifestEntryFlags {
  std::string os;
  std::string arch;
  std::string variant;
  std::string os_version;
  std::vector<std::string> features;
  std::vector<std::string> os_features;
  std::vector<std::string> annotations;
};

// The registry flags `create`, `add` and `inspect` share (podman's wording, not RegistryFlags').
struct ManifestRemoteFlags {
  bool tls_verify = true;
  std::string cert_dir;
  std::string authfile;
};

struct ManifestCreateOptions {
  bool all = false;
  bool amend = false;
  std::vector<std::string> annotations;
  ManifestRemoteFlags remote;
};

struct ManifestAddOptions {
  ManifestEntryFlags entry;
  bool all = false;
  ManifestRemoteFlags remote;
};

struct ManifestAnnotateOptions {
  ManifestEntryFlags entry;
};

struct ManifestInspectOptions {
  ManifestRemoteFlags remote;
};

}  // namespace schicht::cli
