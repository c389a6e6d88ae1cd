#include "copy/remote_copy.h"

#include "copy/copy_image.h"
#include "copy/docker_image.h"

namespace schicht::copy {

void copy_remote_image(const Reference& source, const Digest& digest, const Reference& destination,
                       const registry::RegistriesConf& conf, const TransferOptions& options) {
  Reference from = source;
  from.tag.clear();
  from.digest = digest;
  Reference to = destination;
  to.tag.clear();
  to.digest = digest;
  CopyOptions copy;
  copy.transfer = options;
  std::unique_ptr<ImageSource> reader = docker_source(from, endpoint_options(from, conf, options));
  std::unique_ptr<ImageDestination> writer =
      docker_destination(to, endpoint_options(to, conf, options));
  copy_one_image(*reader, *writer, copy);
}

}  // namespace schicht::copy
