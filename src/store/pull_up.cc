#include "store/pull_up.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/io.h"
#include "store/image_writer.h"

namespace schicht::store {

void pull_up_image(Store& to, Store& from, const Digest& id) {
  std::optional<ImageInfo> info = from.image(id);
  if (!info) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", id.hex()));
  std::vector<LayerInfo> layers = from.layers(id);

  ImageWriter writer(to);
  // Returns the blob's size as stored in `from`.
  auto copy_blob = [&](const Digest& digest, const std::string& what) -> uint64_t {
    std::optional<uint64_t> size = from.blobs().size_of(digest);
    if (!size) {
      fail(ErrorKind::kNotFound, fmt::format("{} {} is missing from the store {}", what,
                                             digest.str(), from.root().string()));
    }
    if (writer.protect(digest)) return *size;
    UniqueFd fd = from.blobs().open(digest);
    FdReader reader(fd.get(), fmt::format("{} {}", what, digest.str()));
    writer.put_blob(reader, digest, *size, fmt::format("{} {}", what, digest.str()));
    return *size;
  };
  for (const auto& layer : layers) copy_blob(layer.digest, "layer");
  NewImage image{.id = id,
                 .config_size = copy_blob(id, "config"),
                 .manifest_digest = info->manifest_digest,
                 .manifest_media_type = info->manifest_media_type,
                 .manifest_size = copy_blob(info->manifest_digest, "manifest"),
                 .created = info->created,
                 .os = info->os,
                 .architecture = info->architecture,
                 .variant = info->variant,
                 .labels_json = info->labels_json,
                 .layers = layers};
  std::vector<std::string> names;
  for (const auto& name : info->names) {
    if (!to.image_by_name(name)) names.push_back(name);
  }
  writer.commit(image, names, "copy");
}

}  // namespace schicht::store
