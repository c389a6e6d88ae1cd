#include "images/manifest_edit.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/media_type.h"
#include "images/manifest_list.h"
#include "store/lookup.h"

namespace schicht::images {

ListAdditions local_additions(store::Store& store, std::string_view text) {
  std::string_view bare = text;
  if (bare.starts_with("containers-storage:")) bare.remove_prefix(19);
  return {.entries = {local_list_entry(store, store::resolve_image(store, bare), text)}};
}

std::map<std::string, std::string> parse_annotations(const std::vector<std::string>& given) {
  std::map<std::string, std::string> out;
  for (const auto& text : given) {
    size_t eq = text.find('=');
    if (eq == std::string::npos) {
      fail(ErrorKind::kInvalidInput, fmt::format("no value given for annotation {:?}", text));
    }
    out[text.substr(0, eq)] = text.substr(eq + 1);
  }
  return out;
}

Digest create_list(store::Store& store, const std::string& name, bool amend,
                   const std::vector<std::string>& images, const ResolveAdditions& resolve,
                   const std::vector<std::string>& annotations) {
  Index index{.raw = "", .digest = Digest::sha256_of(""), .media_type = ""};
  std::string format(media_type::kDockerManifestList);
  std::optional<Digest> read;
  store::ListSources sources;
  if (auto existing = store::list_by_name(store, name)) {
    if (!amend) {
      fail(ErrorKind::kConflict,
           fmt::format("creating image to hold manifest list: image name {:?} is already "
                       "associated with image {:?}: that name is already in use",
                       name, existing->digest.hex()));
    }
    index = read_list(store, *existing);
    format = existing->format;
    read = existing->digest;
    sources = store::list_sources(store, existing->digest);
  }
  std::vector<std::function<void()>> before_write;
  for (const std::string& image : images) {
    ListAdditions added = resolve(image);
    for (Descriptor& entry : added.entries) upsert_entry(index, std::move(entry));
    for (auto& [instance, repository] : added.sources) sources[instance] = repository;
    if (added.before_write) before_write.push_back(std::move(added.before_write));
  }
  for (auto& [k, v] : parse_annotations(annotations)) index.annotations[k] = v;
  for (const auto& run : before_write) run();
  return write_list(store, name, index, format, read, sources);
}

Digest add_entries(store::Store& store, const store::ListInfo& list, std::string_view image,
                   const ResolveAdditions& resolve, const std::function<void(Descriptor&)>& edit) {
  Index index = read_list(store, list);
  ListAdditions added = resolve(image);
  for (Descriptor& entry : added.entries) {
    edit(entry);
    upsert_entry(index, std::move(entry));
  }
  store::ListSources sources = store::list_sources(store, list.digest);
  for (auto& [instance, repository] : added.sources) sources[instance] = repository;
  if (added.before_write) added.before_write();
  return write_list(store, list.name, index, list.format, list.digest, sources);
}

Digest annotate_entry(store::Store& store, const store::ListInfo& list, const std::string& digest,
                      const std::function<void(Descriptor&)>& edit) {
  Index index = read_list(store, list);
  Digest wanted = with_context("parsing digest", [&] { return Digest::parse(digest); });
  Descriptor* found = nullptr;
  for (Descriptor& d : index.manifests) {
    if (d.digest == wanted) found = &d;
  }
  if (found == nullptr) {
    fail(ErrorKind::kNotFound,
         fmt::format("no Docker manifest matching digest {:?} was found in list: no image "
                     "instance matching the specified digest was found in the list or index",
                     digest));
  }
  edit(*found);
  return write_list(store, list.name, index, list.format, list.digest,
                    store::list_sources(store, list.digest));
}

Digest remove_entry(store::Store& store, const store::ListInfo& list, const std::string& digest,
                    std::string_view shown) {
  Index index = read_list(store, list);
  Digest wanted = with_context("parsing digest", [&] { return Digest::parse(digest); });
  auto found = std::find_if(index.manifests.begin(), index.manifests.end(),
                            [&](const Descriptor& d) { return d.digest == wanted; });
  if (found == index.manifests.end()) {
    fail(ErrorKind::kNotFound,
         fmt::format("removing from manifest list {}: no instance matching digest {:?} found in "
                     "manifest list: file does not exist",
                     shown, digest));
  }
  // The first entry equal to the one found goes, as std::erase of it did.
  std::erase(index.manifests, Descriptor(*found));
  return write_list(store, list.name, index, list.format, list.digest,
                    store::list_sources(store, list.digest));
}

ListToPush list_to_push(store::Store& store, const store::ListInfo& list, std::string media_type) {
  if (media_type.empty()) {
    media_type = list.media_type == list.format ? list.format : std::string(media_type::kOciIndex);
  }
  ListToPush out{.media_type = media_type, .bytes = {}, .index = read_list(store, list)};
  out.bytes = list_bytes(store, list, out.media_type);
  return out;
}

}  // namespace schicht::images
