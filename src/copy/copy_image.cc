#include "copy/copy_image.h"

#include <algorithm>
#include <exception>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "copy/archive_image.h"
#include "copy/byte_pipe.h"
#include "copy/convert.h"
#include "copy/copy_signatures.h"
#include "copy/dir_image.h"
#include "copy/docker_image.h"
#include "copy/download.h"
#include "copy/forwarding_destination.h"
#include "copy/oci_dir_image.h"
#include "copy/parallel.h"
#include "copy/recompress.h"
#include "copy/storage_image.h"
#include "core/error.h"
#include "core/media_type.h"
#include "core/platform.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "store/lookup.h"
#include "transport/source_policy.h"
#include "transport/storage_name.h"

namespace schicht::copy {
namespace {

using transport::Transport;
using transport::TransportRef;

store::Store& local_store(const CopyOptions& options) {
  if (!options.store) fail(ErrorKind::kInternal, "image copy: no store to copy from or to");
  return options.store();
}

// The store a containers-storage: source reads: the local store, else the first additional
// store that has the image, as podman finds images of additional stores.
store::Store& source_store(const TransportRef& ref, const CopyOptions& options) {
  store::Store& primary = local_store(options);
  if (!options.additional_stores) return primary;
  std::string image = transport::storage_name(ref).image;
  if (store::find_image(primary, image)) return primary;
  for (store::Store* extra : options.additional_stores()) {
    if (store::find_image(*extra, image)) return *extra;
  }
  return primary;  // its own "not known"
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
    return docker_source(reference, copy_endpoint(reference, conf, options, CopySide::kSource));
  }
  if (ref.transport == Transport::kOci) return oci_dir_source(ref.path, ref.ref, ref.str());
  if (ref.transport == Transport::kContainersStorage) {
    return storage_source(source_store(ref, options), ref);
  }
  if (auto file = file_source(ref)) return file;
  fail(ErrorKind::kUnsupported,
       fmt::format("copying from {}: the {} transport is not supported by image copy yet",
                   ref.str(), ref.name));
}

void report(const CopyOptions& options, const std::string& line) {
  if (options.transfer.report) options.transfer.report(line);
}

// What copying one image's blobs does with each layer: copy it as it is, or recompress it.
struct LayerPlan {
  std::optional<Compression> recompress_to;
};

// A blob read in place (ImageSource::open_blob): counted for a progress display, stopped when
// another transfer of the group failed.
class DirectBlob final : public Reader {
 public:
  DirectBlob(Reader& inner, const Digest& blob, TransferProgress* progress,
             const std::atomic<bool>& cancelled)
      : inner_(inner), blob_(blob), progress_(progress), cancelled_(cancelled) {}
  size_t read(void* buffer, size_t size) override {
    if (cancelled_) fail(ErrorKind::kInternal, "transfer cancelled after another one failed");
    size_t n = inner_.read(buffer, size);
    if (progress_ != nullptr && n > 0) progress_->moved(blob_, n);
    return n;
  }

 private:
  Reader& inner_;
  const Digest& blob_;
  TransferProgress* progress_;
  const std::atomic<bool>& cancelled_;
};

// One blob from source to destination; the bytes a layer moves go to options.transfer.progress.
void copy_blob_once(ImageSource& source, ImageDestination& destination, const Descriptor& blob,
                    bool layer, const CopyOptions& options, const std::atomic<bool>& cancelled) {
  TransferProgress* progress = layer ? options.transfer.progress : nullptr;
  if (std::unique_ptr<Reader> direct = source.open_blob(blob)) {
    if (progress != nullptr) progress->started(blob.digest, static_cast<uint64_t>(blob.size));
    DirectBlob counted(*direct, blob.digest, progress, cancelled);
    destination.put_blob(blob, counted);
    return;
  }
  BytePipe pipe(kPipeCapacity, &cancelled);
  PipeFeed read(pipe, [&](Writer& into) {
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

// The blob unless the destination has it, again from its first byte after a network failure
// when options.retry_blobs says so.
void copy_blob(ImageSource& source, ImageDestination& destination, const Descriptor& blob,
               bool layer, const CopyOptions& options, const std::atomic<bool>& cancelled) {
  bool reused =
      with_context(fmt::format("trying to reuse blob {} at destination", blob.digest.str()),
                   [&] { return destination.try_reuse(blob, source); });
  if (reused) return;
  const http::HttpOptions& http = options.destination_registry.http;
  for (int attempt = 0;; ++attempt) {
    try {
      copy_blob_once(source, destination, blob, layer, options, cancelled);
      return;
    } catch (const Error& e) {
      if (!options.retry_blobs || e.kind() != ErrorKind::kNetwork || attempt >= http.max_retries ||
          cancelled) {
        throw;
      }
      std::this_thread::sleep_for(
          std::min(http.initial_backoff * (1 << std::min(attempt, 10)), http.max_backoff));
    }
  }
}

// A source whose blobs count towards a progress display as they are read (a recompressed
// layer's bar follows the bytes read, whose size is known; the new blob's is not).
class CountedSource final : public ImageSource {
 public:
  CountedSource(ImageSource& inner, TransferProgress* progress)
      : inner_(inner), progress_(progress) {}
  std::string name() const override { return inner_.name(); }
  RawManifest manifest(const std::optional<Digest>& instance) override {
    return inner_.manifest(instance);
  }
  void get_blob(const Descriptor& blob, Writer& out) override {
    if (progress_ != nullptr) progress_->started(blob.digest, static_cast<uint64_t>(blob.size));
    ProgressWriter counted(out, blob.digest, progress_);
    inner_.get_blob(blob, counted);
  }
  std::optional<RegistryRepository> repository() const override { return inner_.repository(); }
  std::optional<RegistryRepository> blob_repository(const Descriptor& blob) const override {
    return inner_.blob_repository(blob);
  }

 private:
  ImageSource& inner_;
  TransferProgress* progress_;
};

// The layers in parallel (a layer named twice moves once; one planned for it is recompressed
// on the way), then the config, as podman and skopeo report them: "Copying config" once the
// layers are done. Returns the layers as written (recompressed ones with their new digests
// and sizes).
std::vector<Descriptor> copy_blobs(ImageSource& source, ImageDestination& destination,
                                   const Manifest& manifest, const std::vector<LayerPlan>& plans,
                                   const CopyOptions& options) {
  std::vector<Descriptor> written = manifest.layers;
  std::vector<size_t> first;          // the first position of each distinct layer
  std::map<Digest, size_t> first_of;  // layer digest -> that position
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    report(options, "Copying blob " + manifest.layers[i].digest.str());
    if (first_of.emplace(manifest.layers[i].digest, i).second) first.push_back(i);
  }
  run_parallel(
      first.size(), options.transfer.jobs, [&](size_t k, const std::atomic<bool>& cancelled) {
        const size_t i = first[k];
        Descriptor& blob = written[i];
        if (i < plans.size() && plans[i].recompress_to) {
          CountedSource counted(source, options.transfer.progress);
          RecompressedLayer layer = recompress_layer(counted, blob, *plans[i].recompress_to,
                                                     options.compression_level, &cancelled);
          blob = layer.descriptor;
          if (destination.try_reuse(blob, source)) return;
          FdReader data(layer.file.get(), "recompressed " + blob.digest.str());
          destination.put_blob(blob, data);
          return;
        }
        copy_blob(source, destination, blob, true, options, cancelled);
      });
  for (size_t i = 0; i < written.size(); ++i) {
    written[i] = written[first_of.at(manifest.layers[i].digest)];
  }
  report(options, "Copying config " + manifest.config.digest.str());
  if (first_of.count(manifest.config.digest) == 0) {
    std::atomic<bool> cancelled = false;
    copy_blob(source, destination, manifest.config, false, options, cancelled);
  }
  return written;
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

// The format the image is written in: --format, else the source's, except that zstd layers
// need OCI, and that a Docker image the reference names goes as OCI to a destination that
// stores only OCI (when digests need not be kept).
ManifestFormat target_format(const ImageDestination& destination, const RawManifest& raw, bool top,
                             const CopyOptions& options) {
  ManifestFormat source = format_of(raw.media_type);
  if (options.format) return *options.format;
  if (options.compression == Compression::kZstd) return ManifestFormat::kOci;
  if (top && !options.preserve_digests && source == ManifestFormat::kDockerV2S2 &&
      !stores(destination, raw.media_type) && stores(destination, media_type::kOciManifest)) {
    return ManifestFormat::kOci;
  }
  return source;
}

// How one image manifest is copied: its format as written and each layer's plan, decided
// before any blob moves (what Docker schema 2 cannot say is refused with nothing written).
struct InstancePlan {
  Manifest manifest;
  ManifestFormat format;
  bool reformat = false;
  std::vector<LayerPlan> layers;
  std::vector<Compression> compressions;  // the layers' as written; empty when unchanged
  bool recompressing() const {
    return std::any_of(layers.begin(), layers.end(),
                       [](const LayerPlan& plan) { return plan.recompress_to; });
  }
  bool converting() const { return reformat || recompressing(); }
};

InstancePlan plan_instance(ImageSource& source, const ImageDestination& destination,
                           const RawManifest& raw, bool top, const CopyOptions& options) {
  if (!media_type::is_manifest(raw.media_type)) {
    fail(ErrorKind::kUnsupported,
         fmt::format("copying {}: {} is not an image manifest", source.name(),
                     raw.media_type.empty() ? std::string("the manifest") : raw.media_type));
  }
  InstancePlan plan{
      .manifest = with_context("reading manifest of " + source.name(),
                               [&] { return parse_manifest(raw.bytes, raw.media_type); }),
      .format = target_format(destination, raw, top, options)};
  plan.reformat = plan.format != format_of(raw.media_type);
  plan.layers.resize(plan.manifest.layers.size());
  if (plan.reformat || options.compression || options.gzip_uncompressed_layers) {
    for (size_t i = 0; i < plan.manifest.layers.size(); ++i) {
      named_compression(plan.manifest.layers[i].media_type);
      Compression now = sniff_compression(source, plan.manifest.layers[i]);
      if (options.compression && now != *options.compression) {
        plan.layers[i].recompress_to = options.compression;
        now = *options.compression;
      } else if (!options.compression && options.gzip_uncompressed_layers &&
                 now == Compression::kNone) {
        plan.layers[i].recompress_to = Compression::kGzip;
        now = Compression::kGzip;
      }
      layer_type(now, plan.format);
      plan.compressions.push_back(now);
    }
  }
  return plan;
}

// One image manifest: its blobs, then its bytes. The manifest goes byte-exact unless its format
// changes or layers are recompressed (convert.h); then digests cannot be preserved. An
// instance of a list is converted only when the list is rewritten to name it (`in_list`).
// Returns the manifest as written.
RawManifest copy_instance(ImageSource& source, ImageDestination& destination,
                          const RawManifest& raw, bool top, const CopyOptions& options,
                          bool in_list = false) {
  InstancePlan plan = plan_instance(source, destination, raw, top, options);
  bool converting = plan.converting();
  if (converting && options.preserve_digests) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("cannot preserve digests of {}: {} changes its manifest", source.name(),
                     plan.reformat
                         ? (options.format ? "--format" : "converting it for the destination")
                         : "recompressing its layers"));
  }
  if (converting && !top && !in_list) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{}: the instances of a manifest list cannot be converted or recompressed "
                     "(the list names them by digest); copy one with --multi-arch system",
                     source.name()));
  }
  check_type(destination,
             !converting                           ? raw.media_type
             : plan.format == ManifestFormat::kOci ? std::string(media_type::kOciManifest)
                                                   : std::string(media_type::kDockerManifest),
             options);
  std::vector<Descriptor> layers =
      copy_blobs(source, destination, plan.manifest, plan.layers, options);
  RawManifest written = raw;
  if (converting) {
    written =
        convert_manifest(plan.manifest, layers, plan.compressions, plan.format, source.name());
  }
  report(options, "Writing manifest to image destination");
  destination.put_manifest(written.bytes, written.media_type, top);
  return written;
}

// The manifest copy_instance would write for `raw`, without writing anything: conversions are
// deterministic, and a layer that is not recompressed keeps its digest. Null when a layer would
// be recompressed (its new digest is known only once it has been).
std::optional<RawManifest> predicted_instance(ImageSource& source,
                                              const ImageDestination& destination,
                                              const RawManifest& raw, bool top,
                                              const CopyOptions& options) {
  InstancePlan plan = plan_instance(source, destination, raw, top, options);
  if (!plan.converting()) return raw;
  if (plan.recompressing()) return std::nullopt;
  return convert_manifest(plan.manifest, plan.manifest.layers, plan.compressions, plan.format,
                          source.name());
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

// Reads each manifest once: the top one for the admission, the forecast and the copy, a list's
// instances for the forecast of a conversion and the copy.
class TopCachingSource final : public ImageSource {
 public:
  explicit TopCachingSource(ImageSource& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  RawManifest manifest(const std::optional<Digest>& instance) override {
    if (instance) {
      auto found = instances_.find(*instance);
      if (found == instances_.end()) {
        found = instances_.emplace(*instance, inner_.manifest(instance)).first;
      }
      return found->second;
    }
    if (!top_) top_ = inner_.manifest(std::nullopt);
    return *top_;
  }
  void get_blob(const Descriptor& blob, Writer& out) override { inner_.get_blob(blob, out); }
  std::unique_ptr<Reader> open_blob(const Descriptor& blob) override {
    return inner_.open_blob(blob);
  }
  std::optional<RegistryRepository> repository() const override { return inner_.repository(); }
  std::optional<RegistryRepository> blob_repository(const Descriptor& blob) const override {
    return inner_.blob_repository(blob);
  }
  std::vector<std::string> carried_names() const override { return inner_.carried_names(); }

 private:
  ImageSource& inner_;
  std::optional<RawManifest> top_;
  std::map<Digest, RawManifest> instances_;
};

// The list type a whole list is written as: --format's, else its own.
std::string list_type_for(const std::string& type, const CopyOptions& options) {
  if (!options.format) return type;
  return *options.format == ManifestFormat::kOci ? std::string(media_type::kOciIndex)
                                                 : std::string(media_type::kDockerManifestList);
}

// `index` with the entries whose instances were written otherwise (converted, recompressed)
// naming what was written, as `type`: byte-exact when nothing changed.
std::string rewritten_list(const RawManifest& top, Index index,
                           const std::map<Digest, RawManifest>& written, const std::string& type) {
  bool changed = type != top.media_type;
  for (Descriptor& entry : index.manifests) {
    auto found = written.find(entry.digest);
    if (found == written.end()) continue;
    Digest digest = Digest::sha256_of(found->second.bytes);
    if (digest == entry.digest) continue;
    entry.digest = digest;
    entry.size = static_cast<int64_t>(found->second.bytes.size());
    entry.media_type = found->second.media_type;
    changed = true;
  }
  if (!changed) return top.bytes;
  if (type == media_type::kDockerManifestList) return serialize_docker_list(index.manifests);
  return serialize_oci_index(index.manifests, index.annotations, index.media_type_field,
                             index.subject, index.artifact_type);
}

// The instances a whole list is copied with: none for --multi-arch index-only.
std::vector<Descriptor> copied_instances(const Index& index, const CopyOptions& options) {
  std::vector<Descriptor> copied;
  if (options.multi_arch != MultiArch::kAll) return copied;
  for (const Descriptor& entry : index.manifests) {
    if (!options.copies_instance || options.copies_instance(entry)) copied.push_back(entry);
  }
  return copied;
}

// What copy_between will write for the source's top manifest, known before anything is
// written: from manifests and layers' first bytes alone (predicted_instance).
struct Forecast {
  // The manifest of the source whose signatures go with the copy: the top one, or the instance
  // chosen for this machine.
  Digest source;
  // The digest written for the reference; `source` when a recompressed layer is needed to know
  // it (`known` false).
  Digest written;
  bool known = true;
  // A whole list: the type it is written as, and the instances written otherwise.
  std::optional<std::string> list_type;
  std::vector<Digest> converted_instances;
  bool changes() const { return !known || written != source; }
};

Forecast forecast_copy(ImageSource& source, const ImageDestination& destination,
                       const CopyOptions& options) {
  RawManifest top = top_manifest(source);
  Digest top_digest = Digest::sha256_of(top.bytes);
  Forecast forecast{.source = top_digest, .written = top_digest};
  auto predict = [&](const RawManifest& raw) {
    std::optional<RawManifest> written =
        predicted_instance(source, destination, raw, true, options);
    forecast.known = written.has_value();
    forecast.written = written ? Digest::sha256_of(written->bytes) : forecast.source;
    return forecast;
  };
  if (!media_type::is_index(top.media_type)) return predict(top);
  Index index = with_context("reading manifest list of " + source.name(),
                             [&] { return parse_index(top.bytes, top.media_type); });
  if (options.multi_arch == MultiArch::kSystem) {
    Descriptor chosen = chosen_instances(index, source).front();
    forecast.source = chosen.digest;
    return predict(source.manifest(chosen.digest));
  }
  forecast.list_type = list_type_for(top.media_type, options);
  // Nothing converts an instance: the list is written as it is (no manifest read for that).
  if (!options.format && !options.compression && !options.gzip_uncompressed_layers) {
    forecast.written = forecast.source;
    return forecast;
  }
  std::map<Digest, RawManifest> written;
  for (const Descriptor& entry : copied_instances(index, options)) {
    RawManifest raw = source.manifest(entry.digest);
    // A list that cannot hold it is refused by copy_list, with its own message.
    if (!media_type::is_manifest(raw.media_type)) continue;
    std::optional<RawManifest> instance =
        predicted_instance(source, destination, raw, false, options);
    if (!instance || instance->bytes != raw.bytes)
      forecast.converted_instances.push_back(entry.digest);
    if (!instance) forecast.known = false;
    if (instance) written[entry.digest] = *instance;
  }
  forecast.written =
      forecast.known ? Digest::sha256_of(rewritten_list(top, index, written, *forecast.list_type))
                     : forecast.source;
  return forecast;
}

// A whole list (--multi-arch all or index-only): its instances, each converted when --format
// or a compression asks for it, then the list, rewritten to name them (and in --format's list
// type) as skopeo rewrites it. Returns the list's digest as written.
Digest copy_list(ImageSource& source, ImageDestination& destination, const RawManifest& top,
                 const Index& index, const CopyOptions& options) {
  std::vector<Descriptor> copied = copied_instances(index, options);
  std::string type = list_type_for(top.media_type, options);
  // Before anything is written: a list that would change cannot keep its digest.
  auto changes_format = [&](const Descriptor& entry) {
    return options.format && media_type::is_manifest(entry.media_type) &&
           format_of(entry.media_type) != *options.format;
  };
  bool instance_changes = std::any_of(copied.begin(), copied.end(), changes_format);
  // Without its instances, only the list's own type can change.
  if (options.multi_arch == MultiArch::kIndexOnly &&
      (options.compression ||
       std::any_of(index.manifests.begin(), index.manifests.end(), changes_format))) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{}: a list copied without its instances (--multi-arch index-only, manifest "
                     "push --all=false) cannot have them converted or recompressed",
                     source.name()));
  }
  if (options.preserve_digests && (type != top.media_type || instance_changes)) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("Manifest list must be converted to type {:?} to be written to destination, "
                     "but we cannot modify it: {:?}",
                     type, "Instructed to preserve digests"));
  }
  check_type(destination, type, options);
  std::map<Digest, RawManifest> written;
  report(options,
         fmt::format("Copying {} of {} images in list", copied.size(), index.manifests.size()));
  for (size_t i = 0; i < copied.size(); ++i) {
    report(options,
           fmt::format("Copying image {} ({}/{})", copied[i].digest.str(), i + 1, copied.size()));
    report(options, "Getting image source signatures");
    written[copied[i].digest] = copy_instance(
        source, destination, source.manifest(copied[i].digest), false, options, /*in_list=*/true);
    report(options, "Storing signatures");
  }
  std::string list = rewritten_list(top, index, written, type);
  report(options, "Writing manifest list to image destination");
  destination.put_manifest(list, type, true);
  return Digest::sha256_of(list);
}

}  // namespace

Reference docker_reference(const TransportRef& ref) {
  return Reference::parse(ref.rest).with_default_tag();
}

registry::RegistryOptions copy_endpoint(const Reference& reference,
                                        const registry::RegistriesConf& conf,
                                        const CopyOptions& options, CopySide side) {
  TransferOptions transfer = options.transfer;
  transfer.registry =
      side == CopySide::kSource ? options.source_registry : options.destination_registry;
  return endpoint_options(reference, conf, transfer);
}

MultiArch parse_multi_arch(std::string_view text) {
  if (text == "system") return MultiArch::kSystem;
  if (text == "all") return MultiArch::kAll;
  if (text == "index-only") return MultiArch::kIndexOnly;
  fail(ErrorKind::kInvalidInput, fmt::format("unknown multi-arch option {:?}. Choose one of the "
                                             "supported options: 'system', 'all', or 'index-only'",
                                             text));
}

Digest copy_one_image(ImageSource& source, ImageDestination& destination,
                      const CopyOptions& options) {
  report(options, "Getting image source signatures");
  Digest written = Digest::sha256_of(
      copy_instance(source, destination, top_manifest(source), true, options).bytes);
  report(options, "Storing signatures");
  destination.commit();
  return written;
}

Digest copy_between(ImageSource& source, ImageDestination& destination,
                    const CopyOptions& options) {
  RawManifest top = top_manifest(source);
  // A whole list reports as podman and skopeo do: the list's signatures around it, each
  // instance's around that instance.
  bool whole_list =
      media_type::is_index(top.media_type) && options.multi_arch != MultiArch::kSystem;
  report(options, whole_list ? "Getting image list signatures" : "Getting image source signatures");
  std::optional<Digest> written;
  if (!media_type::is_index(top.media_type)) {
    written = Digest::sha256_of(copy_instance(source, destination, top, true, options).bytes);
  } else {
    Index index = with_context("reading manifest list of " + source.name(),
                               [&] { return parse_index(top.bytes, top.media_type); });
    if (options.multi_arch == MultiArch::kSystem) {
      // One instance, written in the list's place: the destination names an image, and its
      // digest is the instance's, as podman and skopeo copy it.
      Descriptor chosen = chosen_instances(index, source).front();
      written = Digest::sha256_of(
          copy_instance(source, destination, source.manifest(chosen.digest), true, options).bytes);
    } else {
      if (!destination.accepts_index()) {
        fail(ErrorKind::kUnsupported,
             fmt::format("{}: the destination cannot store a manifest list", destination.name()));
      }
      written = copy_list(source, destination, top, index, options);
    }
  }
  report(options, whole_list ? "Storing list signatures" : "Storing signatures");
  destination.commit();
  return *written;
}

std::unique_ptr<ImageDestination> open_destination(const TransportRef& ref,
                                                   const registry::RegistriesConf& conf,
                                                   const CopyOptions& options) {
  if (ref.transport == Transport::kDocker) {
    Reference reference = docker_reference(ref);
    return docker_destination(reference,
                              copy_endpoint(reference, conf, options, CopySide::kDestination));
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

void copy_image(const trust::Policy* policy, const TransportRef& source_ref,
                const TransportRef& destination_ref, const registry::RegistriesConf& conf,
                const CopyOptions& options) {
  // Before anything is read: a copy that cannot store its signatures does not start.
  CopySignatures signatures(source_ref, destination_ref, conf, options);
  // Before the source is opened: a refused image is not read at all.
  if (source_ref.transport == Transport::kContainersStorage) {
    transport::admit_subject(policy,
                             transport::storage_subject(source_ref, local_store(options).root()));
  } else {
    transport::admit_source(policy, source_ref);
  }
  std::unique_ptr<ImageSource> opened = open_source(source_ref, conf, options);
  TopCachingSource source(*opened);
  // Opened (a transport it cannot write refused) before the source is read; it writes nothing
  // until the first blob.
  std::unique_ptr<ImageDestination> destination = open_destination(destination_ref, conf, options);
  Forecast forecast = forecast_copy(source, *destination, options);
  if (options.skip && options.skip(forecast.written)) return;
  signatures.read_source(source.name(), forecast.source, forecast.changes(), forecast.list_type);
  for (const Digest& instance : forecast.converted_instances) {
    signatures.refuse_converted_instance(source.name(), instance);
  }
  if (options.before_commit) {
    CommitHookDestination hooked(*destination, options.before_commit);
    signatures.write(copy_between(source, hooked, options));
    return;
  }
  signatures.write(copy_between(source, *destination, options));
}

namespace {

class UnsignedAdmission final : public SourceAdmission {
 public:
  UnsignedAdmission(const trust::Policy* policy, trust::Subject subject)
      : policy_(policy), subject_(std::move(subject)) {}
  void before_open() override { transport::admit_subject(policy_, subject_); }
  void admit_manifest(ImageSource&, const RawManifest&) override {}

 private:
  const trust::Policy* policy_;
  trust::Subject subject_;
};

}  // namespace

std::unique_ptr<SourceAdmission> unsigned_admission(const trust::Policy* policy,
                                                    trust::Subject subject) {
  return std::make_unique<UnsignedAdmission>(policy, std::move(subject));
}

Digest copy_admitted(
    SourceAdmission& admission, const std::function<std::unique_ptr<ImageSource>()>& open_source,
    const std::function<std::unique_ptr<ImageDestination>(ImageSource&)>& open_destination,
    const CopyOptions& options) {
  admission.before_open();
  std::unique_ptr<ImageSource> opened = open_source();
  TopCachingSource source(*opened);
  admission.admit_manifest(source, top_manifest(source));
  std::unique_ptr<ImageDestination> destination = open_destination(source);
  return copy_between(source, *destination, options);
}

}  // namespace schicht::copy
