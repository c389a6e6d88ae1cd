#include "trust/registries_d.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/error.h"
#include "core/fs.h"
#include "trust/scope.h"
#include "trust/yaml_error.h"

namespace schicht::trust {
namespace {

[[noreturn]] void bad(const std::string& file, const std::string& what) {
  fail(ErrorKind::kInvalidInput, fmt::format("invalid registries.d file {:?}: {}", file, what));
}

std::string scalar(const YAML::Node& node, const std::string& file, const std::string& where) {
  if (!node.IsScalar()) bad(file, fmt::format("{}: expected a string", where));
  return node.Scalar();
}

LookasideNamespace parse_namespace(const YAML::Node& node, const std::string& file,
                                   const std::string& where) {
  LookasideNamespace ns;
  if (node.IsNull()) return ns;
  if (!node.IsMap()) bad(file, fmt::format("{}: expected a mapping", where));
  for (const auto& item : node) {
    std::string key = scalar(item.first, file, where);
    std::string at = where + "." + key;
    if (key == "lookaside" || key == "sigstore") {
      if (ns.lookaside.empty() || key == "lookaside") ns.lookaside = scalar(item.second, file, at);
    } else if (key == "lookaside-staging" || key == "sigstore-staging") {
      if (ns.lookaside_staging.empty() || key == "lookaside-staging") {
        ns.lookaside_staging = scalar(item.second, file, at);
      }
    } else if (key == "use-sigstore-attachments") {
      bool value = false;
      if (!item.second.IsScalar() || !YAML::convert<bool>::decode(item.second, value)) {
        bad(file, fmt::format("{}: expected true or false", at));
      }
      ns.use_sigstore_attachments = value;
    } else {
      bad(file, fmt::format("{}: unknown key {:?}", where, key));
    }
  }
  return ns;
}

std::string home() {
  const char* h = std::getenv("HOME");
  return h != nullptr ? h : "";
}

}  // namespace

RegistriesD RegistriesD::load(const std::string& dir) {
  RegistriesD out;
  out.directory_ = dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".yaml" && !entry.is_directory()) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) out.add(read_file(file), file.string());
  return out;
}

void RegistriesD::add(std::string_view text, const std::string& file) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    bad(file, yaml_error_text(e));
  }
  if (doc.IsNull()) return;
  if (!doc.IsMap()) bad(file, "expected a mapping at the top level");
  for (const auto& item : doc) {
    std::string key = scalar(item.first, file, "(top)");
    if (key == "default-docker") {
      if (default_docker_) {
        bad(file, fmt::format("default-docker is already defined in {:?}",
                              defined_in_["default-docker"]));
      }
      default_docker_ = parse_namespace(item.second, file, key);
      defined_in_["default-docker"] = file;
    } else if (key == "docker") {
      if (item.second.IsNull()) continue;
      if (!item.second.IsMap()) bad(file, "docker: expected a mapping of namespaces");
      for (const auto& ns : item.second) {
        std::string name = scalar(ns.first, file, "docker");
        if (docker_.count(name) != 0) {
          bad(file, fmt::format("docker namespace {:?} is already defined in {:?}", name,
                                defined_in_[name]));
        }
        docker_[name] = parse_namespace(ns.second, file, fmt::format("docker[{:?}]", name));
        defined_in_[name] = file;
      }
    } else {
      bad(file, fmt::format("unknown key {:?}", key));
    }
  }
}

template <typename T, typename Get>
std::optional<T> RegistriesD::lookup(const Reference& reference, Get get) const {
  for (const std::string& scope : docker_scopes(reference)) {
    auto it = docker_.find(scope);
    if (it == docker_.end()) continue;
    if (std::optional<T> value = get(it->second)) return value;
  }
  if (default_docker_) return get(*default_docker_);
  return std::nullopt;
}

namespace {
std::optional<std::string> nonempty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}
}  // namespace

std::string RegistriesD::read_base(const Reference& reference) const {
  auto found = lookup<std::string>(
      reference, [](const LookasideNamespace& ns) { return nonempty(ns.lookaside); });
  if (found) return *found;
  if (::geteuid() == 0) return "file:///var/lib/containers/sigstore";
  return "file://" + home() + "/.local/share/containers/sigstore";
}

std::string RegistriesD::write_base(const Reference& reference) const {
  // Per namespace: its staging URL, else its read URL; then the next namespace.
  auto found = lookup<std::string>(reference, [](const LookasideNamespace& ns) {
    return nonempty(ns.lookaside_staging.empty() ? ns.lookaside : ns.lookaside_staging);
  });
  return found ? *found : read_base(reference);
}

bool RegistriesD::use_sigstore_attachments(const Reference& reference) const {
  return lookup<bool>(reference,
                      [](const LookasideNamespace& ns) { return ns.use_sigstore_attachments; })
      .value_or(false);
}

std::string RegistriesD::store_for_scope(std::string_view scope) const {
  std::string key(scope);
  for (;;) {
    auto it = docker_.find(key);
    if (it != docker_.end()) return it->second.lookaside;
    size_t slash = key.rfind('/');
    if (slash == std::string::npos) break;
    key.resize(slash);
  }
  return default_docker_ ? default_docker_->lookaside : "";
}

std::string registries_d_dir(std::string_view explicit_dir) {
  if (!explicit_dir.empty()) return std::string(explicit_dir);
  std::string user = home() + "/.config/containers/registries.d";
  std::error_code ec;
  if (!home().empty() && fs::exists(user, ec)) return user;
  return "/etc/containers/registries.d";
}

std::string lookaside_url(const std::string& base, const Reference& reference,
                          const Digest& manifest_digest, size_t index) {
  std::string root = base;
  while (root.ends_with('/')) root.pop_back();
  return fmt::format("{}/{}@{}={}/signature-{}", root, reference.path,
                     manifest_digest.algorithm_name(), manifest_digest.hex(), index);
}

}  // namespace schicht::trust
