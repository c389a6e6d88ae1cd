#include "store/lookup.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "core/reference.h"
#include "store/db.h"

namespace schicht::store {
namespace {

bool is_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return !s.empty();
}

std::optional<Digest> by_id_prefix(Store& store, std::string_view hex) {
  auto matches = store.images_with_id_prefix(hex);
  if (matches.size() > 1) {
    fail(ErrorKind::kConflict,
         fmt::format("{}: image name or ID is ambiguous: {} images match", hex, matches.size()));
  }
  if (matches.empty()) return std::nullopt;
  return matches.front();
}

// A short name ("app:1", "ns/app") matches any stored name whose repository ends in it.
std::optional<Digest> by_short_name(Store& store, const Reference& ref) {
  std::string suffix = "/" + ref.path;
  // Docker normalization put "library/" in front of a one-component short name.
  std::string bare = ref.path.rfind("library/", 0) == 0 ? "/" + ref.path.substr(8) : suffix;
  Statement st(store.db(), "SELECT name, image_id FROM names");
  std::optional<Digest> found;
  while (st.step()) {
    auto stored = Reference::try_parse(st.text(0));
    if (!stored) continue;
    std::string repo = stored->name();
    bool repo_matches = (repo.size() > suffix.size() &&
                         repo.compare(repo.size() - suffix.size(), suffix.size(), suffix) == 0) ||
                        (repo.size() > bare.size() &&
                         repo.compare(repo.size() - bare.size(), bare.size(), bare) == 0);
    if (!repo_matches || stored->tag != ref.tag || stored->digest != ref.digest) continue;
    Digest id = Digest::parse(st.text(1));
    // localhost/ wins, as in podman, when a short name matches several registries.
    if (!found || stored->domain == "localhost") found = id;
  }
  return found;
}

}  // namespace

std::optional<Digest> find_image(Store& store, std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string_view id_text = text;
  if (id_text.rfind("sha256:", 0) == 0) {
    id_text.remove_prefix(7);
    if (auto d = Digest::try_parse(text)) {
      if (store.image(*d)) return d;
      if (auto by_manifest = store.image_by_manifest(*d)) return by_manifest;
    }
    return is_hex(id_text) ? by_id_prefix(store, id_text) : std::nullopt;
  }
  if (is_hex(id_text) && id_text.size() <= 64) {
    if (auto found = by_id_prefix(store, id_text)) return found;
  }
  auto ref = Reference::try_parse(text);
  if (!ref) return std::nullopt;
  if (ref->tag.empty() && !ref->digest) ref = ref->with_default_tag();
  if (ref->digest) {
    auto id = store.image_by_manifest(*ref->digest);
    if (!id) return std::nullopt;
    auto image = store.image(*id);
    for (const auto& name : image->names) {
      auto stored = Reference::try_parse(name);
      if (stored && stored->name() == ref->name()) return id;
    }
    // podman accepts repo@digest when the digest is the image's, whatever the names.
    return id;
  }
  if (auto exact = store.image_by_name(ref->str())) return exact;
  if (!has_explicit_domain(text)) {
    if (auto local = store.image_by_name(Reference::parse_local(text).with_default_tag().str())) {
      return local;
    }
    return by_short_name(store, *ref);
  }
  return std::nullopt;
}

std::optional<std::string> find_name(Store& store, const Digest& id, std::string_view text) {
  auto ref = Reference::try_parse(text);
  if (!ref || ref->digest) return std::nullopt;
  *ref = ref->with_default_tag();
  auto image = store.image(id);
  if (!image) return std::nullopt;
  std::vector<std::string> wanted = {ref->str()};
  if (!has_explicit_domain(text)) {
    wanted.push_back(Reference::parse_local(text).with_default_tag().str());
  }
  for (const auto& w : wanted) {
    if (std::find(image->names.begin(), image->names.end(), w) != image->names.end()) return w;
  }
  if (has_explicit_domain(text)) return std::nullopt;
  // A short name also matches a name under another registry whose repository ends in it.
  std::string bare = ref->path.rfind("library/", 0) == 0 ? ref->path.substr(8) : ref->path;
  for (const auto& name : image->names) {
    auto stored = Reference::try_parse(name);
    if (!stored || stored->tag != ref->tag) continue;
    const std::string& path = stored->path;
    if (path == bare || path == ref->path || path.ends_with("/" + bare)) return name;
  }
  return std::nullopt;
}

Digest resolve_image(Store& store, std::string_view text) {
  if (auto found = find_image(store, text)) return *found;
  // As podman's lookup: a name that breaks the reference grammar is that error (125), not a
  // missing image (which rmi reports with 1).
  if (!text.starts_with("sha256:")) (void)Reference::parse_unnormalized(text);
  fail(ErrorKind::kNotFound, fmt::format("{}: image not known", text));
}

}  // namespace schicht::store
