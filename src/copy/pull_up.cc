#include "copy/pull_up.h"

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "copy/copy_image.h"
#include "copy/storage_image.h"
#include "copy/stored_image.h"
#include "core/error.h"

namespace schicht::copy {

void pull_up_image(store::Store& to, store::Store& from, const Digest& id) {
  std::optional<store::ImageInfo> info = from.image(id);
  if (!info) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", id.hex()));
  std::vector<std::string> names;
  for (const std::string& name : info->names) {
    if (!to.image_by_name(name)) names.push_back(name);
  }
  std::unique_ptr<ImageSource> source = stored_image_source(
      from, StoredImage{
                .id = id,
                .name = fmt::format("containers-storage:[{}]{}", from.root().string(), id.hex())});
  std::unique_ptr<ImageDestination> destination = storage_destination(to, names, "copy");
  CopyOptions options;
  options.preserve_digests = true;  // the same image, under the same manifest digest
  copy_one_image(*source, *destination, options);
}

}  // namespace schicht::copy
