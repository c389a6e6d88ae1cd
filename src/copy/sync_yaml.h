// skopeo sync's YAML source file: registries, each with repositories and the tags to copy.
//
//   registry.example.com:
//     images:                    # repository: tags or digests; an empty list is every tag
//       busybox: []
//       redis: ["1.0", "sha256:<hex>"]
//     images-by-tag-regex:       # repository: a regular expression the tags must match
//       nginx: ^1\.13\.[12]-alpine-perl$
//     tls-verify: false
//     credentials: {username: john, password: secret}
//     cert-dir: /home/john/certs
//
// The file comes from a user but may be large or hostile: it is bounded (kSyncYamlLimit bytes,
// kSyncYamlEntries repositories and tags), and every error names the key it is about.
// Unknown keys are refused (skopeo ignores them: a typo then copies nothing, silently).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registry/auth.h"

namespace schicht::copy {

inline constexpr size_t kSyncYamlLimit = 4 << 20;
inline constexpr size_t kSyncYamlEntries = 100000;

struct SyncYamlRegistry {
  std::string name;  // the registry's host[:port], the top-level key
  // Repository paths within the registry, in file order after sorting by name.
  std::map<std::string, std::vector<std::string>> images;
  std::map<std::string, std::string> images_by_tag_regex;
  std::optional<bool> tls_verify;
  std::optional<registry::Credentials> credentials;
  std::string cert_dir;
};

// kInvalidInput for text that is not such a file; `file` names it in messages. Regular
// expressions are checked here (compiled once), so a bad one fails before anything is copied.
std::vector<SyncYamlRegistry> parse_sync_yaml(std::string_view text, const std::string& file);

// Whether `tag` matches `regex` as skopeo matches it (anywhere in the tag, unless anchored).
// kInvalidInput for an expression that does not compile.
bool tag_matches(const std::string& regex, const std::string& tag);

}  // namespace schicht::copy
