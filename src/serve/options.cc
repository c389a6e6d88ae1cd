#include "serve/options.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "serve/route.h"

namespace schicht::serve {

std::string to_json(const ServeOptions& o) {
  nlohmann::json j{{"root", o.root},         {"listen", o.listen},
                   {"allow", o.allow},       {"mirror_of", o.mirror_of},
                   {"cert", o.cert},         {"key", o.key},
                   {"htpasswd", o.htpasswd}, {"access_log", o.access_log},
                   {"threads", o.threads}};
  return j.dump();
}

ServeOptions options_from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) throw Error(ErrorKind::kInvalidInput, "schicht-serve: malformed options");
  try {
    ServeOptions o;
    o.root = j.at("root").get<std::string>();
    o.listen = j.at("listen").get<std::string>();
    o.allow = j.at("allow").get<std::vector<std::string>>();
    o.mirror_of = j.at("mirror_of").get<std::vector<std::string>>();
    o.cert = j.at("cert").get<std::string>();
    o.key = j.at("key").get<std::string>();
    o.htpasswd = j.at("htpasswd").get<std::string>();
    o.access_log = j.at("access_log").get<std::string>();
    o.threads = j.at("threads").get<int>();
    return o;
  } catch (const nlohmann::json::exception&) {
    throw Error(ErrorKind::kInvalidInput, "schicht-serve: malformed options");
  }
}

void validate(const ServeOptions& o) {
  if (!parse_listen(o.listen))
    throw Error(ErrorKind::kInvalidInput,
                fmt::format("invalid --listen \"{}\": want ADDRESS:PORT (e.g. 127.0.0.1:5000, "
                            "[::1]:5000, 0.0.0.0:5000)",
                            o.listen));
  for (const std::string& registry : o.mirror_of)
    if (!valid_repository(registry + "/x") || registry.find('/') != std::string::npos)
      throw Error(ErrorKind::kInvalidInput,
                  fmt::format("invalid --mirror-of \"{}\": want a registry host such as "
                              "docker.io or registry.example.com:5000",
                              registry));
  if (o.cert.empty() != o.key.empty())
    throw Error(ErrorKind::kInvalidInput, "--cert and --key must be given together");
  if (o.threads < 1 || o.threads > 4096)
    throw Error(ErrorKind::kInvalidInput,
                fmt::format("invalid --threads {}: want 1 to 4096", o.threads));
  for (const std::string& p : o.allow)
    if (p.empty()) throw Error(ErrorKind::kInvalidInput, "--allow needs a pattern");
}

}  // namespace schicht::serve
