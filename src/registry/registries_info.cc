#include "registry/registries_info.h"

namespace schicht::registry {
namespace {

using nlohmann::ordered_json;

const char* pull_from_mirror(MirrorUse use) {
  switch (use) {
    case MirrorUse::kDigestOnly:
      return "digest-only";
    case MirrorUse::kTagOnly:
      return "tag-only";
    case MirrorUse::kAll:
      break;
  }
  return "";  // unset and "all" read alike
}

}  // namespace

ordered_json registries_info(const RegistriesConf& conf) {
  ordered_json out = ordered_json::object();
  for (const auto& r : conf.registries()) {
    ordered_json mirrors = nullptr;
    for (const auto& m : r.mirrors) {
      mirrors.push_back({{"Location", m.location},
                         {"Insecure", m.insecure},
                         {"PullFromMirror", pull_from_mirror(m.use)}});
    }
    out[r.prefix] = {{"Prefix", r.prefix},
                     {"Location", r.location},
                     {"Insecure", r.insecure},
                     {"PullFromMirror", ""},
                     {"Mirrors", mirrors},
                     {"Blocked", r.blocked},
                     {"MirrorByDigestOnly", r.mirror_by_digest_only}};
  }
  if (!conf.unqualified_search_registries().empty()) {
    out["search"] = conf.unqualified_search_registries();
  }
  return out;
}

}  // namespace schicht::registry
