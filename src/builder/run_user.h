// Who a RUN step runs as: a USER spec (`name`, `uid`, `name:group`, `uid:gid`, ...) resolved
// against the text of a root filesystem's /etc/passwd and /etc/group, as buildah's chrootuser
// resolves it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schicht::builder {

struct RunUser {
  uid_t uid = 0;
  gid_t gid = 0;
  // Supplementary groups: the primary group, then (when the spec names no group) the groups
  // listing the user as a member.
  std::vector<gid_t> groups;
  std::string home = "/";  // from /etc/passwd; "/" when the user has no entry
};

// An empty spec is root. A name must exist in `passwd`; a numeric uid need not (its primary
// group is then 0). A group is a name in `group` or a number. Throws kNotFound otherwise.
RunUser resolve_user(std::string_view spec, std::string_view passwd, std::string_view group);

// The colon-separated fields of each line of a passwd, group or subid file; empty lines and
// '#' comments are skipped. The views point into `text`.
std::vector<std::vector<std::string_view>> colon_records(std::string_view text);

// A decimal id, or nullopt when `text` is not one.
std::optional<uint32_t> parse_id(std::string_view text);

}  // namespace schicht::builder
