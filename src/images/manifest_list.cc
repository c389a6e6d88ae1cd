#include "images/manifest_list.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/media_type.h"
#include "core/reference.h"

namespace schicht::images {
namespace {

nlohmann::ordered_json platform_json(const Platform& p) {
  // c/image's Schema2PlatformSpec / image-spec Platform member order.
  nlohmann::ordered_json out;
  out["architecture"] = p.architecture;
  out["os"] = p.os;
  if (!p.os_version.empty()) out["os.version"] = p.os_version;
  if (!p.os_features.empty()) out["os.features"] = p.os_features;
  if (!p.variant.empty()) out["variant"] = p.variant;
  return out;
}

nlohmann::ordered_json annotations_json(const std::map<std::string, std::string>& annotations) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [k, v] : annotations) out[k] = v;  // Go sorts map keys: std::map does too
  return out;
}

}  // namespace

Index read_list(store::Store& store, const store::ListInfo& list) {
  return with_context(fmt::format("reading manifest list {}", list.name), [&] {
    return parse_index(store.blobs().read(list.digest), list.media_type);
  });
}

Digest write_list(store::Store& store, const std::string& name, const Index& index,
                  std::string_view format, const std::optional<Digest>& read,
                  const store::ListSources& sources) {
  std::string raw = serialize_oci_index(index.manifests, index.annotations);
  store::ListSources kept;
  for (const Descriptor& entry : index.manifests) {
    auto source = sources.find(entry.digest.str());
    if (source != sources.end()) kept.insert(*source);
  }
  store::put_list(store, name, raw, media_type::kOciIndex, format, store::ReadState{read}, kept);
  return Digest::sha256_of(raw);
}

Descriptor local_list_entry(store::Store& store, const Digest& id, std::string_view shown) {
  std::optional<store::ImageInfo> image = store.image(id);
  if (!image) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", shown));
  std::optional<uint64_t> size = store.blobs().size_of(image->manifest_digest);
  if (!size) {
    fail(ErrorKind::kNotFound, fmt::format("image {}: manifest {} missing from the store",
                                           id.short_hex(), image->manifest_digest.str()));
  }
  return Descriptor{
      .media_type = image->manifest_media_type,
      .digest = image->manifest_digest,
      .size = static_cast<int64_t>(*size),
      .platform = Platform{
          .os = image->os, .architecture = image->architecture, .variant = image->variant}};
}

void upsert_entry(Index& index, Descriptor entry) {
  std::erase_if(index.manifests, [&](const Descriptor& d) { return d.digest == entry.digest; });
  index.manifests.push_back(std::move(entry));
}

Digest add_to_list(store::Store& store, std::string_view text, Descriptor entry) {
  if (std::optional<store::ListInfo> list = images::find_list(store, text)) {
    Index index = read_list(store, *list);
    upsert_entry(index, std::move(entry));
    return write_list(store, list->name, index, list->format, list->digest,
                      store::list_sources(store, list->digest));
  }
  Index index{.raw = "", .digest = Digest::sha256_of(""), .media_type = ""};
  index.manifests.push_back(std::move(entry));
  return write_list(store, images::list_name(text), index, media_type::kDockerManifestList,
                    std::nullopt, {});
}

std::string list_bytes(store::Store& store, const store::ListInfo& list, std::string_view format) {
  if (list.media_type == format) return store.blobs().read(list.digest);
  Index index = read_list(store, list);
  if (format == media_type::kDockerManifestList) return serialize_docker_list(index.manifests);
  return serialize_oci_index(index.manifests, index.annotations);
}

nlohmann::ordered_json inspect_json(const Index& index, std::string_view format) {
  const bool docker = format == media_type::kDockerManifestList;
  nlohmann::ordered_json out;
  out["schemaVersion"] = 2;
  out["mediaType"] = std::string(format);
  nlohmann::ordered_json manifests = nullptr;  // Go's nil slice
  for (const Descriptor& d : index.manifests) {
    nlohmann::ordered_json entry;
    entry["mediaType"] = d.media_type;
    if (docker) {
      entry["size"] = d.size;
      entry["digest"] = d.digest.str();
    } else {
      entry["digest"] = d.digest.str();
      entry["size"] = d.size;
    }
    if (!d.urls.empty()) entry["urls"] = d.urls;
    if (!docker && !d.annotations.empty()) entry["annotations"] = annotations_json(d.annotations);
    if (d.platform) {
      entry["platform"] = platform_json(*d.platform);
    } else if (docker) {
      entry["platform"] = {{"architecture", ""}, {"os", ""}};
    }
    if (docker && !d.annotations.empty()) entry["annotations"] = annotations_json(d.annotations);
    manifests.push_back(std::move(entry));
  }
  out["manifests"] = std::move(manifests);
  if (!index.annotations.empty()) out["annotations"] = annotations_json(index.annotations);
  return out;
}

}  // namespace schicht::images
