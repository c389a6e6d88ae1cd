#include "copy/sync_yaml.h"

#include <regex>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/error.h"
#include "trust/yaml_error.h"

namespace schicht::copy {
namespace {

[[noreturn]] void bad(const std::string& file, const std::string& what) {
  fail(ErrorKind::kInvalidInput, fmt::format("invalid sync YAML file {:?}: {}", file, what));
}

std::string scalar(const YAML::Node& node, const std::string& file, const std::string& where) {
  if (!node.IsScalar()) bad(file, fmt::format("{}: expected a string", where));
  return node.Scalar();
}

std::regex compile(const std::string& regex) {
  // Go's RE2 and ECMAScript agree on what tag patterns use; an expression the library cannot
  // compile (or one too long to be a tag pattern) is refused.
  if (regex.size() > 1024) {
    fail(ErrorKind::kInvalidInput, fmt::format("tag regex {:?}: longer than 1024 bytes", regex));
  }
  try {
    return std::regex(regex, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    fail(ErrorKind::kInvalidInput, fmt::format("tag regex {:?}: invalid expression", regex));
  }
}

struct Counter {
  const std::string& file;
  size_t entries = 0;
  void add() {
    if (++entries > kSyncYamlEntries) {
      bad(file, fmt::format("more than {} repositories and tags", kSyncYamlEntries));
    }
  }
};

SyncYamlRegistry parse_registry(const std::string& name, const YAML::Node& node,
                                const std::string& file, Counter& count) {
  SyncYamlRegistry out;
  out.name = name;
  if (name.empty() || name.find('/') != std::string::npos) {
    bad(file, fmt::format("{:?}: a registry name is a host[:port]", name));
  }
  if (node.IsNull()) return out;
  if (!node.IsMap()) bad(file, fmt::format("{}: expected a mapping", name));
  for (const auto& item : node) {
    std::string key = scalar(item.first, file, name);
    std::string at = name + "." + key;
    const YAML::Node& value = item.second;
    if (key == "images") {
      if (value.IsNull()) continue;
      if (!value.IsMap()) bad(file, fmt::format("{}: expected a mapping of repositories", at));
      for (const auto& repo : value) {
        std::string path = scalar(repo.first, file, at);
        std::string where = fmt::format("{}[{:?}]", at, path);
        count.add();
        std::vector<std::string>& tags = out.images[path];
        if (repo.second.IsNull()) continue;
        if (!repo.second.IsSequence()) bad(file, fmt::format("{}: expected a list of tags", where));
        for (const auto& tag : repo.second) {
          count.add();
          tags.push_back(scalar(tag, file, where));
        }
      }
    } else if (key == "images-by-tag-regex") {
      if (value.IsNull()) continue;
      if (!value.IsMap()) bad(file, fmt::format("{}: expected a mapping of repositories", at));
      for (const auto& repo : value) {
        std::string path = scalar(repo.first, file, at);
        count.add();
        std::string regex = scalar(repo.second, file, fmt::format("{}[{:?}]", at, path));
        try {
          compile(regex);
        } catch (const Error& e) {
          bad(file, fmt::format("{}[{:?}]: {}", at, path, e.what()));
        }
        out.images_by_tag_regex[path] = regex;
      }
    } else if (key == "tls-verify") {
      bool verify = false;
      if (!value.IsScalar() || !YAML::convert<bool>::decode(value, verify)) {
        bad(file, fmt::format("{}: expected true or false", at));
      }
      out.tls_verify = verify;
    } else if (key == "credentials") {
      if (!value.IsMap()) bad(file, fmt::format("{}: expected username and password", at));
      registry::Credentials credentials;
      for (const auto& field : value) {
        std::string name_of = scalar(field.first, file, at);
        if (name_of == "username") {
          credentials.username = scalar(field.second, file, at + ".username");
        } else if (name_of == "password") {
          credentials.password = scalar(field.second, file, at + ".password");
        } else {
          bad(file, fmt::format("{}: unknown key {:?}", at, name_of));
        }
      }
      out.credentials = credentials;
    } else if (key == "cert-dir") {
      out.cert_dir = scalar(value, file, at);
    } else {
      bad(file, fmt::format("{}: unknown key {:?}", name, key));
    }
  }
  return out;
}

}  // namespace

std::vector<SyncYamlRegistry> parse_sync_yaml(std::string_view text, const std::string& file) {
  if (text.size() > kSyncYamlLimit) {
    bad(file, fmt::format("larger than {} bytes", kSyncYamlLimit));
  }
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    bad(file, trust::yaml_error_text(e));
  }
  std::vector<SyncYamlRegistry> out;
  if (doc.IsNull()) return out;
  if (!doc.IsMap()) bad(file, "expected a mapping of registries at the top level");
  Counter count{.file = file};
  try {
    for (const auto& item : doc) {
      out.push_back(parse_registry(scalar(item.first, file, "(top)"), item.second, file, count));
    }
  } catch (const YAML::Exception& e) {
    bad(file, trust::yaml_error_text(e));
  }
  return out;
}

bool tag_matches(const std::string& regex, const std::string& tag) {
  return std::regex_search(tag, compile(regex));
}

}  // namespace schicht::copy
