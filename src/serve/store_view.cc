// Reads of the store for the server: plain SQL over the tables of store/schema.h, one
// statement at a time (each sees the latest commit).
#include "serve/store_view.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/error.h"
#include "serve/route.h"
#include "store/db.h"

namespace schicht::serve {
namespace {

// The names of `table` in `repository`: the two ranges "repo:" and "repo@" of the primary key,
// then checked exactly (a name "localhost:5000/a:1" is in the range of "localhost:").
template <typename Fn>
void names_in(store::Db& db, std::string_view sql, const std::string& repository, Fn&& fn) {
  store::Statement st(db, sql);
  for (std::string_view open : {":", "@"}) {
    std::string from = repository + std::string(open);
    std::string to = from;
    ++to.back();
    st.reset();
    st.bind(1, from).bind(2, to);
    while (st.step()) {
      std::string name = st.text(0);
      auto split = split_stored_name(name);
      if (!split || split->repository != repository) continue;
      fn(*split, st);
    }
  }
}

void sort_unique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// The instance digests a stored list names.
std::vector<std::string> list_instances(store::Store& store, const std::string& digest) {
  std::vector<std::string> out;
  auto d = Digest::try_parse(digest);
  if (!d) return out;
  std::string bytes;
  try {
    bytes = store.blobs().read(*d);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kNotFound) throw;
    return out;  // removed meanwhile: the list is gone too
  }
  auto json = nlohmann::json::parse(bytes, nullptr, false);
  if (!json.is_object() || !json.contains("manifests") || !json["manifests"].is_array()) return out;
  for (const auto& m : json["manifests"])
    if (m.is_object() && m.contains("digest") && m["digest"].is_string())
      out.push_back(m["digest"].get<std::string>());
  return out;
}

}  // namespace

StoreView::Named StoreView::named(const std::string& repository) {
  Named out;
  store::Db& db = store_.db();
  names_in(db, "SELECT name, image_id FROM names WHERE name >= ?1 AND name < ?2", repository,
           [&](const StoredName& name, store::Statement& st) {
             out.images.push_back(st.text(1));
             if (!name.by_digest) out.tags.push_back(name.reference);
           });
  names_in(db,
           "SELECT n.name, n.list_digest, l.media_type FROM list_names n JOIN lists l ON "
           "l.digest = n.list_digest WHERE n.name >= ?1 AND n.name < ?2",
           repository, [&](const StoredName& name, store::Statement& st) {
             out.lists.emplace_back(st.text(1), st.text(2));
             if (!name.by_digest) out.tags.push_back(name.reference);
           });
  sort_unique(out.images);
  sort_unique(out.tags);
  return out;
}

std::vector<std::string> StoreView::repositories() {
  std::vector<std::string> out;
  for (std::string_view sql : {"SELECT name FROM names", "SELECT name FROM list_names"}) {
    store::Statement st(store_.db(), sql);
    while (st.step())
      if (auto split = split_stored_name(st.view(0))) out.push_back(split->repository);
  }
  sort_unique(out);
  return out;
}

bool StoreView::has_repository(const std::string& repository) {
  Named n = named(repository);
  return !n.images.empty() || !n.lists.empty();
}

std::vector<std::string> StoreView::tags(const std::string& repository) {
  return named(repository).tags;
}

std::optional<ServedManifest> StoreView::manifest(const std::string& repository,
                                                  const std::string& reference) {
  store::Db& db = store_.db();
  auto digest = Digest::try_parse(reference);
  if (!digest) {
    std::string name = repository + ":" + reference;
    store::Statement list(db,
                          "SELECT l.digest, l.media_type FROM list_names n JOIN lists l ON "
                          "l.digest = n.list_digest WHERE n.name = ?1");
    list.bind(1, name);
    if (list.step()) return ServedManifest{Digest::parse(list.text(0)), list.text(1)};
    store::Statement image(db,
                           "SELECT i.manifest_digest, i.manifest_media_type FROM names n JOIN "
                           "images i ON i.id = n.image_id WHERE n.name = ?1");
    image.bind(1, name);
    if (image.step()) return ServedManifest{Digest::parse(image.text(0)), image.text(1)};
    return std::nullopt;
  }
  Named n = named(repository);
  for (const auto& [list_digest, media_type] : n.lists)
    if (list_digest == digest->str()) return ServedManifest{*digest, media_type};
  store::Statement st(db, "SELECT image_id, media_type FROM image_manifests WHERE digest = ?1");
  st.bind(1, digest->str());
  if (!st.step()) return std::nullopt;
  std::string image = st.text(0);
  ServedManifest found{*digest, st.text(1)};
  if (std::binary_search(n.images.begin(), n.images.end(), image)) return found;
  // An instance of a list named in the repository, whatever the image's own names.
  for (const auto& list : n.lists) {
    auto instances = list_instances(store_, list.first);
    if (std::find(instances.begin(), instances.end(), digest->str()) != instances.end())
      return found;
  }
  return std::nullopt;
}

std::optional<uint64_t> StoreView::blob(const std::string& repository, const Digest& blob) {
  Named n = named(repository);
  const std::string& d = blob.str();
  bool referenced =
      std::binary_search(n.images.begin(), n.images.end(), d) ||
      std::any_of(n.lists.begin(), n.lists.end(), [&](const auto& l) { return l.first == d; });
  store::Db& db = store_.db();
  store::Statement st(db,
                      "SELECT 1 FROM image_manifests m WHERE m.image_id = ?1 AND (m.digest = ?2 "
                      "OR EXISTS (SELECT 1 FROM manifest_layers l WHERE l.manifest_digest = "
                      "m.digest AND l.layer_digest = ?2)) LIMIT 1");
  for (size_t i = 0; !referenced && i < n.images.size(); ++i) {
    st.reset();
    st.bind(1, n.images[i]).bind(2, d);
    referenced = st.step();
  }
  // The configs and layers of a list's instances, which may be images named elsewhere.
  if (!referenced && !n.lists.empty()) {
    store::Statement inst(db,
                          "SELECT 1 FROM image_manifests m WHERE m.digest = ?1 AND (m.image_id = "
                          "?2 OR EXISTS (SELECT 1 FROM manifest_layers l WHERE l.manifest_digest "
                          "= m.digest AND l.layer_digest = ?2)) LIMIT 1");
    for (const auto& list : n.lists) {
      for (const std::string& instance : list_instances(store_, list.first)) {
        inst.reset();
        inst.bind(1, instance).bind(2, d);
        if ((referenced = inst.step())) break;
      }
      if (referenced) break;
    }
  }
  if (!referenced) return std::nullopt;
  return store_.blobs().size_of(blob);
}

}  // namespace schicht::serve
