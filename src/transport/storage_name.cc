#include "transport/storage_name.h"

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::transport {
namespace {

bool is_hex_id(std::string_view text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

StorageName storage_name(const TransportRef& ref) {
  std::string_view text = ref.rest;
  if (text.starts_with("[")) {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("invalid reference {:?}: the store specification has no closing \"]\"",
                       ref.str()));
    }
    text.remove_prefix(close + 1);
  }
  StorageName out{.image = std::string(text)};
  std::string_view bare = text;
  if (bare.starts_with("sha256:")) bare.remove_prefix(7);
  if (is_hex_id(bare)) {
    out.id = std::string(bare);
    return out;
  }
  std::optional<Reference> named = text.empty() ? std::nullopt : Reference::try_parse(text);
  if (!named) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("invalid reference {:?}: {:?} is neither an image name nor an image ID",
                     ref.str(), out.image));
  }
  out.named = Reference::parse_docker_ref(text);
  return out;
}

std::vector<std::string> storage_scopes(const StorageName& name, std::string_view driver,
                                        const fs::path& root) {
  std::string store = fmt::format("[{}@{}]", driver, root.string());
  std::vector<std::string> out;
  if (name.id) out.push_back(store + (name.named ? name.named->str() : "") + "@" + *name.id);
  if (name.named) {
    out.push_back(store + name.named->str());
    if (!name.named->tag.empty() && name.named->digest) {
      out.push_back(store + name.named->name() + ":" + name.named->tag);
    }
    std::string repository = name.named->name();
    while (!repository.empty()) {
      if (out.back() != store + repository) out.push_back(store + repository);
      size_t slash = repository.rfind('/');
      repository = slash == std::string::npos ? "" : repository.substr(0, slash);
    }
  }
  out.push_back(store);
  out.push_back(fmt::format("[{}]", root.string()));
  return out;
}

}  // namespace schicht::transport
