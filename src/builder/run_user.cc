#include "builder/run_user.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::builder {
namespace {

struct PasswdEntry {
  std::string name;
  uid_t uid;
  gid_t gid;
  std::string home;
};

// Finds the passwd entry named `name`, or (when `name` is empty) the one with `uid`.
std::optional<PasswdEntry> find_passwd(std::string_view passwd, std::string_view name, uid_t uid) {
  for (const auto& f : colon_records(passwd)) {
    if (f.size() < 4) continue;
    auto entry_uid = parse_id(f[2]);
    auto entry_gid = parse_id(f[3]);
    if (!entry_uid || !entry_gid) continue;
    if (name.empty() ? *entry_uid != uid : f[0] != name) continue;
    return PasswdEntry{std::string(f[0]), *entry_uid, *entry_gid,
                       f.size() > 5 && !f[5].empty() ? std::string(f[5]) : "/"};
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::vector<std::string_view>> colon_records(std::string_view text) {
  std::vector<std::vector<std::string_view>> out;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string_view> fields;
    size_t start = 0;
    for (;;) {
      size_t colon = line.find(':', start);
      fields.push_back(line.substr(start, colon - start));
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
    out.push_back(std::move(fields));
  }
  return out;
}

std::optional<uint32_t> parse_id(std::string_view text) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

RunUser resolve_user(std::string_view spec, std::string_view passwd, std::string_view group) {
  size_t colon = spec.find(':');
  std::string_view user = spec.substr(0, colon);
  std::optional<std::string_view> group_spec;
  if (colon != std::string_view::npos) group_spec = spec.substr(colon + 1);
  if (user.empty()) user = "0";

  RunUser out;
  std::string user_name;
  if (auto entry = find_passwd(passwd, user, 0)) {
    out.uid = entry->uid, out.gid = entry->gid, out.home = entry->home;
    user_name = entry->name;
  } else if (auto uid = parse_id(user)) {
    out.uid = *uid;
    if (auto by_uid = find_passwd(passwd, "", *uid)) {
      out.gid = by_uid->gid, out.home = by_uid->home;
      user_name = by_uid->name;
    }
  } else {
    fail(ErrorKind::kNotFound, fmt::format("user: unknown user error looking up user {:?}", user));
  }

  if (group_spec && !group_spec->empty()) {
    std::optional<gid_t> gid;
    for (const auto& f : colon_records(group))
      if (f.size() >= 3 && f[0] == *group_spec) gid = parse_id(f[2]);
    if (!gid) gid = parse_id(*group_spec);
    if (!gid)
      fail(ErrorKind::kNotFound,
           fmt::format("group: unknown group error looking up group {:?}", *group_spec));
    out.gid = *gid;
  } else if (!user_name.empty()) {
    for (const auto& f : colon_records(group)) {
      if (f.size() < 4) continue;
      auto gid = parse_id(f[2]);
      if (!gid) continue;
      std::string_view members = f[3];
      while (!members.empty()) {
        size_t comma = members.find(',');
        if (members.substr(0, comma) == user_name) {
          out.groups.push_back(*gid);
          break;
        }
        members = comma == std::string_view::npos ? std::string_view() : members.substr(comma + 1);
      }
    }
  }
  // buildah's RUN has its primary group among the supplementary ones (`id` shows groups=gid).
  if (std::find(out.groups.begin(), out.groups.end(), out.gid) == out.groups.end())
    out.groups.insert(out.groups.begin(), out.gid);
  return out;
}

}  // namespace schicht::builder
