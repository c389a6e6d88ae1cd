#include "images/remove.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/reference.h"
#include "images/list_lookup.h"
#include "oci/index.h"
#include "store/lists.h"
#include "store/lookup.h"

namespace schicht::images {
namespace {

// The name podman stores for what the user typed after `tag`: short names go to localhost/.
std::string local_name(const std::string& text) {
  std::string name = with_context(fmt::format("normalizing name {:?}", text), [&] {
    return Reference::parse_local(text).with_default_tag().str();
  });
  if (Reference::parse(name).digest) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: tag by digest not supported", text));
  }
  return name;
}

// The stored name of a reference a pull by digest recorded ("repo@sha256:..."; a tag before
// the digest goes, as libimage's NormalizeName drops it); other names as local_name.
std::string digested_name(const std::string& text) {
  auto ref = Reference::try_parse(text);
  if (!ref || !ref->digest) return local_name(text);
  return with_context(fmt::format("normalizing name {:?}", text),
                      [&] { return Reference::parse_local(text).str(); });
}

void run(const std::function<void(const Digest&)>& effect, const Digest& id) {
  if (effect) effect(id);
}

// Removes the image with every name it has.
Removed remove_whole(store::Store& store, const Digest& id, bool force,
                     const RemovalEffects& effects, std::string referenced_by) {
  if (force) run(effects.remove_containers, id);
  run(effects.unmount, id);
  store::RemovalReport report = store.remove_image(id);
  return Removed{.what = Removed::What::kImage,
                 .id = id,
                 .untagged = std::move(report.untagged),
                 .deleted = true,
                 .referenced_by = std::move(referenced_by)};
}

// A manifest list named `text` when no image is: rmi takes its name (podman treats it as an
// image), and its blob with its last name.
std::optional<Removed> remove_list_named(store::Store& store, const std::string& text) {
  if (!Reference::try_parse(text) || store::find_image(store, text)) return std::nullopt;
  std::optional<store::ListInfo> list = find_list(store, text);
  if (!list) return std::nullopt;
  store::remove_list(store, list->name);
  bool named = false;
  for (const auto& other : store::lists(store)) named |= other.digest == list->digest;
  return Removed{.what = Removed::What::kList,
                 .id = list->digest,
                 .untagged = {list->name},
                 .deleted = !named,
                 .referenced_by = list->name};
}

// A whole multi-platform image (pull --all-platforms, load of an index) is stored as a list
// under NAME, its instance for this machine under NAME too and every instance as REPO@DIGEST:
// rmi NAME takes the list and those names, and leaves the instances to prune, as podman leaves
// a removed list's instances. nullopt when `name` is no such pulled list.
std::optional<Removed> untag_whole_multi_platform(store::Store& store, const std::string& name,
                                                  const Digest& id) {
  std::optional<store::ListInfo> list = store::list_by_name(store, name);
  if (!list || list->media_type != list->format) return std::nullopt;  // a list made here
  Index index = parse_index(store.blobs().read(list->digest), list->media_type);
  Removed removed{.what = Removed::What::kName, .id = id, .referenced_by = name};
  if (store.untag(name, "rmi")) removed.untagged.push_back(name);
  Reference by_digest = Reference::parse(name);
  by_digest.tag.clear();
  for (const Descriptor& instance : index.manifests) {
    by_digest.digest = instance.digest;
    if (store.untag(by_digest.str(), "rmi")) removed.untagged.push_back(by_digest.str());
  }
  store::remove_list(store, name);
  return removed;
}

Removed remove_one(store::Store& store, const std::string& text, const RemoveOptions& options,
                   const RemovalEffects& effects) {
  if (std::optional<Removed> list = remove_list_named(store, text)) return *list;
  Digest id = store::resolve_image(store, text);
  auto image = store.image(id);
  bool by_id = Digest::is_sha256_hex(text) || text.starts_with("sha256:") ||
               !store.images_with_id_prefix(text).empty();
  if (by_id && image->names.size() > 1 && !options.force) {
    std::string names;
    for (const auto& n : image->names) names += (names.empty() ? "" : " ") + n;
    fail(ErrorKind::kConflict,
         fmt::format("unable to delete image {:?} by ID with more than one tag ([{}]): please "
                     "force removal",
                     id.hex(), names));
  }
  if (!by_id && image->names.size() > 1) {
    // One of several names: only that name goes.
    std::string name = store::find_name(store, id, text).value_or(digested_name(text));
    if (auto whole = untag_whole_multi_platform(store, name, id)) return *whole;
    store.untag(name, "rmi");
    return Removed{
        .what = Removed::What::kName, .id = id, .untagged = {name}, .referenced_by = name};
  }
  // podman's remove event names the image as resolved: the stored name, or the ID as typed.
  std::string referenced_by = store::find_name(store, id, text).value_or(text);
  Removed removed = remove_whole(store, id, options.force, effects, std::move(referenced_by));
  if (effects.remove_unused_snapshots) effects.remove_unused_snapshots();
  return removed;
}

}  // namespace

RemoveResult remove_images(store::Store& store, const std::vector<std::string>& names,
                           const RemoveOptions& options, const RemovalEffects& effects) {
  RemoveResult result;
  for (const auto& text : names) {
    try {
      result.done.push_back(remove_one(store, text, options, effects));
    } catch (const Error& e) {
      // podman's --force also ignores images that do not exist.
      if ((options.ignore || options.force) && e.kind() == ErrorKind::kNotFound) continue;
      result.errors.push_back(e);
    }
  }
  return result;
}

RemoveResult remove_all_images(store::Store& store, const RemoveOptions& options,
                               const RemovalEffects& effects) {
  RemoveResult result;
  for (const auto& image : store.images()) {
    try {
      result.done.push_back(remove_whole(store, image.id, options.force, effects, ""));
    } catch (const Error& e) {
      result.errors.push_back(e);
    }
  }
  if (effects.remove_unused_snapshots) effects.remove_unused_snapshots();
  return result;
}

Untagged untag_image(store::Store& store, const std::string& image_text,
                     const std::vector<std::string>& names) {
  Untagged out{.id = store::resolve_image(store, image_text), .names = {}};
  auto image = store.image(out.id);
  if (names.empty()) out.names = image->names;
  for (const std::string& text : names) {
    // libimage's NormalizeName: a tagged and digested name loses its tag, so
    // `untag IMG repo:tag@sha256:...` removes the name a pull by that digest recorded.
    Reference wanted = with_context(fmt::format("normalizing name {:?}", text), [&] {
      return Reference::parse_local(text).with_default_tag();
    });
    std::optional<std::string> name;
    if (wanted.digest) {
      if (std::find(image->names.begin(), image->names.end(), wanted.str()) != image->names.end()) {
        name = wanted.str();
      }
    } else {
      name = store::find_name(store, out.id, text);
    }
    if (!name) fail(ErrorKind::kNotFound, fmt::format("{}: tag not known", wanted.str()));
    out.names.push_back(*name);
  }
  for (const auto& name : out.names) store.untag(name, "untag");
  return out;
}

Tagged tag_image(store::Store& store, const std::string& image,
                 const std::vector<std::string>& names) {
  Tagged out{.id = store::resolve_image(store, image), .names = {}};
  for (const std::string& text : names) out.names.push_back(local_name(text));
  for (const std::string& name : out.names) store.tag(out.id, name, "tag");
  store.touch(out.id);
  return out;
}

}  // namespace schicht::images
