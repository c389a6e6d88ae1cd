#include "copy/remote_copy.h"

#include <fmt/format.h>

#include "copy/byte_pipe.h"
#include "copy/download.h"
#include "copy/parallel.h"
#include "core/error.h"
#include "core/media_type.h"
#include "oci/manifest.h"
#include "registry/registry_client.h"

namespace schicht::copy {
void copy_remote_image(const Reference& source, const Digest& digest, const Reference& destination,
                       const registry::RegistriesConf& conf, const TransferOptions& options) {
  const std::string from =
      fmt::format("docker://{}/{}@{}", source.domain, source.path, digest.str());
  registry::RegistryOptions source_options = endpoint_options(source, conf, options);
  registry::RegistryOptions destination_options = endpoint_options(destination, conf, options);
  registry::RegistryClient reader(source.domain, source_options);
  registry::Manifest top = with_context(
      "reading manifest " + from, [&] { return reader.get_manifest(source.path, digest.str()); });
  std::string type = detect_manifest_type(top.bytes, top.media_type);
  if (!media_type::is_manifest(type)) {
    fail(ErrorKind::kUnsupported,
         fmt::format("copying {}: {} is not an image manifest", from, type));
  }
  Manifest manifest =
      with_context("reading manifest " + from, [&] { return parse_manifest(top.bytes, type); });

  std::vector<Descriptor> blobs = manifest.layers;
  blobs.push_back(manifest.config);
  const bool same_registry = source.domain == destination.domain;
  if (options.report) {
    options.report("Getting image source signatures");
    for (const Descriptor& layer : manifest.layers) {
      options.report("Copying blob " + layer.digest.str());
    }
    options.report("Copying config " + manifest.config.digest.str());
  }
  // One client per side and thread: a RegistryClient is not shared between threads.
  run_parallel(blobs.size(), options.jobs, [&](size_t i, const std::atomic<bool>& cancelled) {
    const Descriptor& blob = blobs[i];
    registry::RegistryClient writer(destination.domain, destination_options);
    if (writer.head_blob(destination.path, blob.digest)) return;
    if (same_registry && writer.mount_blob(destination.path, blob.digest, source.path)) return;
    registry::RegistryClient blob_reader(source.domain, source_options);
    BytePipe pipe(kPipeCapacity, &cancelled);
    Download download(blob_reader, source.path, blob, pipe);
    try {
      writer.push_blob(destination.path, blob.digest, static_cast<uint64_t>(blob.size),
                       pipe.reader());
    } catch (const Error&) {
      // A broken download is the cause of whatever the upload then saw.
      if (pipe.failed()) download.finish();
      throw;
    }
    download.finish();
  });

  if (options.report) options.report("Writing manifest to image destination");
  registry::RegistryClient writer(destination.domain, destination_options);
  writer.put_manifest(destination.path, digest.str(), top.bytes, type);
  if (options.report) options.report("Storing signatures");
}

}  // namespace schicht::copy
