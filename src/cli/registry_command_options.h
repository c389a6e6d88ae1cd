// The options of the declared commands that share the registry flag groups (RegistryFlags,
// SideFlags): kept out of commands.h so that commands which never talk to a registry do not
// include the registry client's header.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/registry_flags.h"
#include "cli/side_registry_flags.h"

namespace schicht::cli {
struct LoginOptions {
  RegistryFlags registry_flags;
  std::string username;
  std::string password;
  bool password_stdin = false;
  bool get_login = false;
  bool verbose = false;
};

struct PushOptions {
  RegistryFlags registry_flags;
  bool quiet = false;
  bool remove_signatures = false;
  bool compress = false;
  std::string digestfile;
  std::string compression;
  std::string format;
  int64_t retry = 3;
  int64_t jobs = 6;
  std::string sigstore_key_file;
  std::string sign_passphrase_file;
  std::string sign_by;
  bool referrers = false;
};

struct PullOptions {
  RegistryFlags registry_flags;
  bool quiet = false;
  bool all_tags = false;
  std::string platform;
  std::string os;
  std::string arch;
  std::string variant;
  int64_t retry = 3;
  int64_t jobs = 6;
  bool all_platforms = false;
  std::string signature_policy;
  bool referrers = false;
  bool unpack = false;
};

struct ManifestPushOptions {
  bool all = true;
  bool quiet = false;
  bool rm = false;
  std::string format;
  std::string digestfile;
  RegistryFlags registry;
  bool remove_signatures = false;
  std::string sigstore_key_file;
  std::string sign_passphrase_file;
  std::string sign_by;
};

struct SearchOptions {
  RegistryFlags registry_flags;
  std::string format;
  std::vector<std::string> filters;
  int64_t limit = 0;
  bool list_tags = false;
  bool no_trunc = false;
  bool compatible = false;
};

struct ImageSbomOptions {
  std::string format = "spdx-json";
  std::string output;
  std::string attach;
  RegistryFlags registry_flags;
};

struct ImageCopyOptions {
  bool all = false;
  bool preserve_digests = false;
  bool quiet = false;
  std::string multi_arch;
  std::string signature_policy;
  int64_t retry_times = 0;
  SideFlags source{.prefix = "src"};
  SideFlags destination{.prefix = "dest"};
  bool referrers = false;
  std::string format;
  std::string compress_format;
  std::string sign_by;
  std::string sigstore_key_file;
  std::string passphrase_file;
  bool dest_compress = false;
  bool remove_signatures = false;
  int64_t compress_level = 0;
};

struct ImageSyncOptions {
  std::string source_kind;
  std::string destination_kind;
  std::string format;
  std::string signature_policy;
  bool all = false;
  bool scoped = false;
  bool dry_run = false;
  bool keep_going = false;
  bool preserve_digests = false;
  int64_t retry_times = 0;
  SideFlags source{.prefix = "src"};
  SideFlags destination{.prefix = "dest"};
  std::string sign_by;
  std::string sigstore_key_file;
  std::string passphrase_file;
  bool remove_signatures = false;
};

// The flags of the artifact commands that talk to registries (artifact push and pull take
// only these).
struct ArtifactRemoteFlags {
  RegistryFlags registry;
  int64_t retry = 3;
  bool quiet = false;
};

struct ArtifactAttachOptions {
  std::string subject;
  std::string type;
  std::string file_type;
  std::vector<std::string> annotations;
  std::string name;
  ArtifactRemoteFlags remote;
};

struct ArtifactDiscoverOptions {
  std::string format;
  ArtifactRemoteFlags remote;  // no --quiet: discover reports no progress
};

}  // namespace schicht::cli
