#include "copy/copy_image.h"

#include <exception>
#include <memory>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "copy/archive_image.h"
#include "copy/byte_pipe.h"
#include "copy/convert.h"
#include "copy/dir_image.h"
#include "copy/docker_image.h"
#include "copy/download.h"
#include "copy/oci_dir_image.h"
#include "copy/parallel.h"
#include "copy/storage_image.h"
#include "core/error.h"
#include "core/media_type.h"
#include "core/platform.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "transport/source_policy.h"

namespace schicht::copy {
namespace {

using transport::Transport;
using transport::TransportRef;

Reference docker_reference(const TransportRef& ref) {
  return Reference::parse(ref.rest).with_default_tag();
}

store::Store& local_store(const CopyOptions& options) {
  if (!options.store) fail(ErrorKind::kInternal, "image copy: no store to copy from or to");
  return options.store();
}

// The archive and dir: transports (archive_image.h, dir_image.h); null for others.
std::unique_ptr<ImageSource> file_source(const TransportRef& ref) {
  if (ref.transport == Transport::kOciArchive) {
    return oci_archive_source(ref.path, ref.ref, ref.str());
  }
  if (ref.transport == Transport::kDockerArchive) {
    return docker_archive_source(ref.path, ref.ref, ref.str());
  }
  if (ref.transport == Transport::kDir) return dir_source(ref.path, ref.str());
  return nullptr;
}

std::unique_ptr<ImageDestination> file_destination(const TransportRef& ref) {
  if (ref.transport == Transport::kOciArchive) {
    return oci_archive_destination(ref.path, ref.ref, ref.str());
  }
  if (ref.transport == Transport::kDockerArchive) {
    return docker_archive_destination(ref.path, ref.ref, ref.str());
  }
  if (ref.transport == Transport::kDir) return dir_destination(ref.path, ref.str());
  return nullptr;
}

std::unique_ptr<ImageSource> open_source(const TransportRef& ref,
                                         const registry::RegistriesConf& conf,
                                         const CopyOptions& options) {
  if (ref.transport == Transport::kDocker) {
    Reference reference = docker_reference(ref);
    TransferOptions transfer = options.transfer;
    transfer.registry = options.source_registry;
    return docker_source(reference, endpoint_options(reference, conf, transfer));
  }
  if (ref.transport == Transport::kOci) return oci_dir_source(ref.path, ref.ref, ref.str());
  if (ref.transport == Transport::kContainersStorage) {
    return storage_source(local_store(options), ref);
  }
  if (auto file = file_source(ref)) return file;
  fail(ErrorKind::kUnsupported,
       fmt::format("copying from {}: the {} transport is not supported by image copy yet",
                   ref.str(), ref.name));
}

std::unique_ptr<ImageDestination> open_destination(const TransportRef& ref,
                                                   const registry::RegistriesConf& conf,
                                                   const CopyOptions& options) {
  if (ref.transport == Transport::kDocker) {
    Reference reference = docker_reference(ref);
    TransferOptions transfer = options.transfer;
    transfer.registry = options.destination_registry;
    return docker_destination(reference, endpoint_options(reference, conf, transfer));
  }
  if (ref.transport == Transport::kOci) return oci_dir_destination(ref.path, ref.ref, ref.str());
  if (ref.transport == Transport::kContainersStorage) {
    return storage_destination(local_store(options), ref);
  }
  if (auto file = file_destination(ref)) return file;
  fail(ErrorKind::kUnsupported,
       fmt::format("copying to {}: the {} transport is not supported by image copy yet", ref.str(),
                   ref.name));
}

void report(const CopyOptions& options, const std::string& line) {
  if (options.transfer.report) options.transfer.report(line);
}

// One blob from source to destination unless the destination has it; the bytes a layer
// moves go to options.transfer.progress.
void copy_blob(ImageSource& source, ImageDestination& destination, const Descriptor& blob,
               bool layer, const CopyOptions& options, const std::atomic<bool>& cancelled) {
  if (destination.try_reuse(blob, source)) return;
  BytePipe pipe(kPipeCapacity, &cancelled);
  PipeFeed read(pipe, [&](Writer& into) {
    TransferProgress* progress = layer ? options.transfer.progress : nullptr;
    if (progress != nullptr) progress->started(blob.digest, static_cast<uint64_t>(blob.size));
    ProgressWriter counted(into, blob.digest, progress);
    source.get_blob(blob, counted);
  });
  try {
    destination.put_blob(blob, pipe.reader());
  } catch (const Error&) {
    // A broken read is the cause of whatever the write then saw.
    if (pipe.failed()) read.finish();
    throw;
  }
  read.finish();
}

// The layers in parallel (a layer named twice moves once), then the config, as podman and
// skopeo report them: "Copying config" once the layers are done.
void copy_blobs(ImageSource& source, ImageDestination& destination, const Manifest& manifest,
                const CopyOptions& options) {
  std::vector<Descriptor> layers;
  std::set<Digest> seen;
  for (const Descriptor& layer : manifest.layers) {
    report(options, "Copying blob " + layer.digest.str());
    if (seen.insert(layer.digest).second) layers.push_back(layer);
  }
  run_parallel(layers.size(), options.transfer.jobs,
               [&](size_t i, const std::atomic<bool>& cancelled) {
                 copy_blob(source, destination, layers[i], true, options, cancelled);
               });
  report(options, "Copying config " + manifest.config.digest.str());
  std::atomic<bool> cancelled = false;
  if (seen.count(manifest.config.digest) == 0) {
    copy_blob(source, destination, manifest.config, false, options, cancelled);
  }
}

void check_type(const ImageDestination& destination, const std::string& type,
                const CopyOptions& options) {
  if (options.preserve_digests && !destination.keeps_manifests()) {
    fail(ErrorKind::kUnsupported,
         fmt::format("cannot preserve digests: {} stores no manifest (reading it back yields a "
                     "generated one)",
                     destination.name()));
  }
  std::vector<std::string> types = destination.manifest_types();
  if (types.empty() || std::find(types.begin(), types.end(), type) != types.end()) return;
  // Converting would change the digest; this engine does not convert at all yet.
  fail(ErrorKind::kUnsupported,
       fmt::format("{}{} does not store manifests of type {}",
                   options.preserve_digests ? "cannot preserve digests: " : "", destination.name(),
                   type));
}

bool stores(const ImageDestination& destination, std::string_view type) {
  std::vector<std::string> types = destination.manifest_types();
  return types.empty() || std::find(types.begin(), types.end(), type) != types.end();
}

// One image manifest: its blobs, then its bytes. A Docker manifest the destination cannot store
// is converted to OCI (convert.h) when it is the image the reference names and digests need not
// be kept; an instance of a list is not (the list names it by digest).
void copy_instance(ImageSource& source, ImageDestination& destination, const RawManifest& raw,
                   bool top, const CopyOptions& options) {
  if (!media_type::is_manifest(raw.media_type)) {
    fail(ErrorKind::kUnsupported,
         fmt::format("copying {}: {} is not an image manifest", source.name(),
                     raw.media_type.empty() ? std::string("the manifest") : raw.media_type));
  }
  Manifest manifest = with_context("reading manifest of " + source.name(),
                                   [&] { return parse_manifest(raw.bytes, raw.media_type); });
  RawManifest written = raw;
  if (top && !options.preserve_digests && raw.media_type == media_type::kDockerManifest &&
      !stores(destination, raw.media_type) && stores(destination, media_type::kOciManifest)) {
    written = docker_to_oci(source, manifest);
  }
  check_type(destination, written.media_type, options);
  copy_blobs(source, destination, manifest, options);
  report(options, "Writing manifest to image destination");
  destination.put_manifest(written.bytes, written.media_type, top);
}

std::vector<Descriptor> chosen_instances(const Index& index, const ImageSource& source) {
  std::vector<std::optional<Platform>> platforms;
  for (const Descriptor& entry : index.manifests) platforms.push_back(entry.platform);
  std::optional<size_t> chosen = choose_platform(platforms, wanted_platforms(PlatformChoice{}));
  if (!chosen) {
    Platform host = Platform::host();
    fail(ErrorKind::kNotFound,
         fmt::format("choosing an image from manifest list {}: no image found in manifest list "
                     "for architecture {}, variant {:?}, OS {}",
                     source.name(), host.architecture, host.variant, host.os));
  }
  return {index.manifests[*chosen]};
}

// skopeo's words for a source that cannot be read at all.
RawManifest top_manifest(ImageSource& source) {
  return with_context("initializing source " + source.name(),
                      [&] { return source.manifest(std::nullopt); });
}

}  // namespace

MultiArch parse_multi_arch(std::string_view text) {
  if (text == "system") return MultiArch::kSystem;
  if (text == "all") return MultiArch::kAll;
  if (text == "index-only") return MultiArch::kIndexOnly;
  fail(ErrorKind::kInvalidInput, fmt::format("unknown multi-arch option {:?}. Choose one of the "
                                             "supported options: 'system', 'all', or 'index-only'",
                                             text));
}

void copy_one_image(ImageSource& source, ImageDestination& destination,
                    const CopyOptions& options) {
  report(options, "Getting image source signatures");
  copy_instance(source, destination, top_manifest(source), true, options);
  report(options, "Storing signatures");
  destination.commit();
}

void copy_between(ImageSource& source, ImageDestination& destination, const CopyOptions& options) {
  report(options, "Getting image source signatures");
  RawManifest top = top_manifest(source);
  if (!media_type::is_index(top.media_type)) {
    copy_instance(source, destination, top, true, options);
  } else {
    Index index = with_context("reading manifest list of " + source.name(),
                               [&] { return parse_index(top.bytes, top.media_type); });
    if (options.multi_arch == MultiArch::kSystem) {
      // One instance, written in the list's place: the destination names an image, and its
      // digest is the instance's, as podman and skopeo copy it.
      Descriptor chosen = chosen_instances(index, source).front();
      copy_instance(source, destination, source.manifest(chosen.digest), true, options);
    } else {
      if (!destination.accepts_index()) {
        fail(ErrorKind::kUnsupported,
             fmt::format("{}: the destination cannot store a manifest list", destination.name()));
      }
      check_type(destination, top.media_type, options);
      if (options.multi_arch == MultiArch::kAll) {
        std::vector<Descriptor> copied;
        for (const Descriptor& entry : index.manifests) {
          if (!options.copies_instance || options.copies_instance(entry)) copied.push_back(entry);
        }
        report(options, fmt::format("Copying {} of {} images in list", copied.size(),
                                    index.manifests.size()));
        for (size_t i = 0; i < copied.size(); ++i) {
          report(options, fmt::format("Copying image {} ({}/{})", copied[i].digest.str(), i + 1,
                                      copied.size()));
          copy_instance(source, destination, source.manifest(copied[i].digest), false, options);
        }
      }
      report(options, "Writing manifest list to image destination");
      destination.put_manifest(top.bytes, top.media_type, true);
    }
  }
  report(options, "Storing signatures");
  destination.commit();
}

void copy_image(const trust::Policy* policy, const TransportRef& source_ref,
                const TransportRef& destination_ref, const registry::RegistriesConf& conf,
                const CopyOptions& options) {
  // Before the source is opened: a refused image is not read at all.
  if (source_ref.transport == Transport::kContainersStorage) {
    transport::admit_subject(policy,
                             transport::storage_subject(source_ref, local_store(options).root()));
  } else {
    transport::admit_source(policy, source_ref);
  }
  std::unique_ptr<ImageSource> source = open_source(source_ref, conf, options);
  std::unique_ptr<ImageDestination> destination = open_destination(destination_ref, conf, options);
  copy_between(*source, *destination, options);
}

}  // namespace schicht::copy
