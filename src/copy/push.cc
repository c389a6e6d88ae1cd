#include "copy/push.h"

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "content/stored_layer.h"
#include "copy/parallel.h"
#include "copy/signatures.h"
#include "copy/sigstore_signatures.h"
#include "core/error.h"
#include "core/media_type.h"
#include "oci/manifest.h"
#include "registry/registry_client.h"

namespace schicht::copy {
namespace {

// Recompressed layers go up in chunks of this size (or the registry's minimum, if larger).
constexpr size_t kUploadChunk = size_t{8} << 20;

void report(const TransferOptions& options, const std::string& line) {
  if (options.report) options.report(line);
}

// What an upload reads from the store: stops when another transfer of the group failed, and
// counts the bytes of `blob` for a progress display (when there is one).
class UploadSource final : public Reader {
 public:
  UploadSource(Reader& inner, const std::atomic<bool>& cancelled, const Digest& blob,
               TransferProgress* progress)
      : inner_(inner), cancelled_(cancelled), blob_(blob), progress_(progress) {}
  size_t read(void* buffer, size_t size) override {
    if (cancelled_) fail(ErrorKind::kInternal, "transfer cancelled after another one failed");
    size_t n = inner_.read(buffer, size);
    if (progress_ != nullptr && n > 0) progress_->moved(blob_, n);
    return n;
  }

 private:
  Reader& inner_;
  const std::atomic<bool>& cancelled_;
  const Digest& blob_;
  TransferProgress* progress_;
};

// Collects a compressed stream into chunks and PATCHes each to an upload session.
class ChunkedUpload final : public Writer {
 public:
  explicit ChunkedUpload(registry::BlobUpload& upload)
      : upload_(upload), chunk_size_(std::max<uint64_t>(kUploadChunk, upload.min_chunk_size())) {}
  using Writer::write;
  void write(const void* data, size_t size) override {
    buffer_.append(static_cast<const char*>(data), size);
    if (buffer_.size() >= chunk_size_) flush();
  }
  void flush() {
    if (buffer_.empty()) return;
    upload_.write_chunk(buffer_);
    buffer_.clear();
  }

 private:
  registry::BlobUpload& upload_;
  uint64_t chunk_size_;
  std::string buffer_;
};

class Pusher {
 public:
  Pusher(store::Store& store, registry::RegistryClient& client, const Reference& destination,
         std::vector<std::string> mount_from, ManifestFormat stored_format,
         const PushOptions& options)
      : blobs_(store.blobs()),
        client_(client),
        repository_(destination.path),
        mount_from_(std::move(mount_from)),
        stored_format_(stored_format),
        options_(options),
        by_digest_(destination.digest.has_value()) {}

  // A stored blob, unless the repository has it or can mount it. `progress` (may be null) hears
  // of the upload; a blob that needs none is never started.
  void copy_blob(const Descriptor& blob, const std::atomic<bool>& cancelled,
                 TransferProgress* progress) {
    std::string reuse = fmt::format("trying to reuse blob {} at destination", blob.digest.str());
    bool present = with_context(
        reuse, [&] { return client_.head_blob(repository_, blob.digest).has_value(); });
    if (present) return;
    for (const std::string& from : mount_from_) {
      bool mounted = false;
      ignore_error("a refused mount costs only the upload that follows",
                   [&] { mounted = client_.mount_blob(repository_, blob.digest, from); });
      if (mounted) return;
    }
    // A streamed upload cannot be replayed by the HTTP client, so a failed one (a dropped
    // connection, a 5xx) starts again here, from a new session and the file's first byte.
    const http::HttpOptions& http = options_.registry.http;
    for (int attempt = 0;; ++attempt) {
      try {
        UniqueFd fd = blobs_.open(blob.digest);
        FdReader file(fd.get(), blobs_.path_of(blob.digest).string());
        // Every attempt starts from the first byte, and so does its bar.
        if (progress != nullptr) progress->started(blob.digest, static_cast<uint64_t>(blob.size));
        UploadSource body(file, cancelled, blob.digest, progress);
        with_context("writing blob", [&] {
          client_.push_blob(repository_, blob.digest, static_cast<uint64_t>(blob.size), body);
        });
        return;
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::kNetwork || attempt >= http.max_retries || cancelled) throw;
        std::this_thread::sleep_for(
            std::min(http.initial_backoff * (1 << std::min(attempt, 10)), http.max_backoff));
      }
    }
  }

  // A layer, recompressed when asked for; returns its descriptor in `format`.
  Descriptor copy_layer(const Descriptor& layer, ManifestFormat format,
                        const std::atomic<bool>& cancelled) {
    Descriptor out = layer;
    std::optional<Compression> wanted = options_.compression;
    Compression stored = stored_compression(blobs_, layer.digest);
    // As podman does, a layer stored uncompressed (imported, loaded from a docker-archive) goes
    // gzipped unless --compression-format says otherwise; a push by digest must keep the stored
    // manifest.
    if (!wanted && !by_digest_ && stored == Compression::kNone) wanted = Compression::kGzip;
    if (wanted && stored != *wanted) {
      return recompress(layer, *wanted, format, cancelled);
    }
    copy_blob(layer, cancelled, options_.progress);
    if (format != stored_format_) {
      out.media_type = layer_type(named_compression(layer.media_type), format);
    }
    return out;
  }

 private:
  Descriptor recompress(const Descriptor& layer, Compression to, ManifestFormat format,
                        const std::atomic<bool>& cancelled) {
    return with_context("writing blob", [&] {
      UniqueFd fd = blobs_.open(layer.digest);
      FdReader file(fd.get(), blobs_.path_of(layer.digest).string());
      // The bar follows the stored bytes read, whose size is known; the new blob's is not.
      TransferProgress* progress = options_.progress;
      if (progress != nullptr) progress->started(layer.digest, static_cast<uint64_t>(layer.size));
      UploadSource raw(file, cancelled, layer.digest, progress);
      auto plain = decompress(raw);
      registry::BlobUpload upload = client_.start_upload(repository_);
      ChunkedUpload chunks(upload);
      HashingWriter hashed(&chunks);
      auto compressed = compress(hashed, to);
      copy_stream(*plain, *compressed);
      compressed->finish();
      chunks.flush();
      uint64_t size = hashed.count();
      Digest digest = hashed.finish();
      upload.finish(digest);
      Descriptor out = layer;
      out.media_type = layer_type(to, format);
      out.digest = digest;
      out.size = static_cast<int64_t>(size);
      return out;
    });
  }

  const BlobStore& blobs_;
  registry::RegistryClient& client_;
  std::string repository_;
  std::vector<std::string> mount_from_;
  ManifestFormat stored_format_;
  const PushOptions& options_;
  bool by_digest_;
};

// Repositories of the destination registry the image is named after: where its blobs may be.
std::vector<std::string> mount_sources(const store::ImageInfo& image,
                                       const Reference& destination) {
  std::vector<std::string> out;
  for (const std::string& name : image.names) {
    std::optional<Reference> ref = Reference::try_parse(name);
    if (!ref || ref->domain != destination.domain || ref->path == destination.path) continue;
    if (std::find(out.begin(), out.end(), ref->path) == out.end()) out.push_back(ref->path);
  }
  return out;
}

}  // namespace

Digest push_image(store::Store& store, const Digest& id, const Reference& destination,
                  const registry::RegistriesConf& conf, const PushOptions& options) {
  std::optional<store::ImageInfo> image = store.image(id);
  if (!image) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", id.str()));
  // The manifest a digest destination names when the image has it (one image may be stored
  // under several manifest digests, e.g. the entry of a list and a pull by tag), else the
  // image's own.
  Digest manifest_digest = image->manifest_digest;
  std::string manifest_type = image->manifest_media_type;
  if (destination.digest && *destination.digest != manifest_digest &&
      std::find(image->digests.begin(), image->digests.end(), *destination.digest) !=
          image->digests.end()) {
    manifest_digest = *destination.digest;
    manifest_type.clear();  // told by its bytes
  }
  Manifest manifest = with_context(fmt::format("image {}: manifest", id.short_hex()), [&] {
    return parse_manifest(store.blobs().read(manifest_digest), manifest_type);
  });
  ManifestFormat stored_format = format_of(manifest.media_type);
  ManifestFormat format = options.format.value_or(
      options.compression == Compression::kZstd ? ManifestFormat::kOci : stored_format);

  // Signing is checked before anything is uploaded: a push that cannot store its signature
  // does not start.
  std::shared_ptr<const trust::RegistriesD> registries_d = options.registries_d;
  std::string signature_dir;
  if (!options.sign_by.empty()) {
    if (!registries_d) registries_d = load_registries_d("");
    signature_dir = lookaside_write_dir(*registries_d, destination, manifest.digest);
  }
  if (options.sigstore_key) require_sigstore_attachments(registries_d, destination);

  registry::RegistryClient client(destination.domain, endpoint_options(destination, conf, options));
  Pusher pusher(store, client, destination, mount_sources(*image, destination), stored_format,
                options);

  report(options, "Getting image source signatures");
  for (const Descriptor& layer : manifest.layers) {
    report(options, "Copying blob " + layer.digest.str());
  }
  std::vector<std::optional<Descriptor>> layers(manifest.layers.size());
  run_parallel(manifest.layers.size(), options.jobs,
               [&](size_t i, const std::atomic<bool>& cancelled) {
                 layers[i] = pusher.copy_layer(manifest.layers[i], format, cancelled);
               });
  report(options, "Copying config " + manifest.config.digest.str());
  std::atomic<bool> never{false};
  pusher.copy_blob(manifest.config, never, /*progress=*/nullptr);

  std::string bytes = manifest.raw;
  std::string type = manifest.media_type;
  bool layers_changed = false;
  for (size_t i = 0; i < layers.size(); ++i) layers_changed |= *layers[i] != manifest.layers[i];
  if (format != stored_format || layers_changed) {
    std::vector<Descriptor> descriptors;
    descriptors.reserve(layers.size());
    for (const auto& layer : layers) descriptors.push_back(*layer);
    Descriptor config = manifest.config;
    if (format == ManifestFormat::kOci) {
      config.media_type = media_type::kOciConfig;
      bool same = stored_format == ManifestFormat::kOci;
      bytes = serialize_oci_manifest(
          config, descriptors, same ? manifest.annotations : std::map<std::string, std::string>{},
          same ? manifest.subject : std::nullopt, same ? manifest.artifact_type : "",
          same ? manifest.media_type_field : MediaTypeField::kPresent);
      type = media_type::kOciManifest;
    } else {
      config.media_type = media_type::kDockerConfig;
      bytes = serialize_docker_manifest(config, descriptors);
      type = media_type::kDockerManifest;
    }
  }

  std::string signature;
  if (!options.sign_by.empty()) {
    report(options, "Signing manifest using simple signing");
    Digest digest = Digest::sha256_of(bytes);
    signature = sign_simple(destination, digest, options.sign_by);
    signature_dir = lookaside_write_dir(*registries_d, destination, digest);
  }
  report(options, "Writing manifest to image destination");
  std::string version = destination.digest        ? destination.digest->str()
                        : destination.tag.empty() ? std::string("latest")
                                                  : destination.tag;
  Digest pushed = client.put_manifest(destination.path, version, bytes, type);
  if (options.sigstore_key) {
    report(options, "Signing manifest using a sigstore signature");
    report(options, "Storing signatures");
    // The identity is the destination as written, tagged (containers/image signs that).
    push_sigstore_signature(client, destination.path, pushed, destination.with_default_tag().str(),
                            *options.sigstore_key);
  } else {
    report(options, "Storing signatures");
  }
  if (!signature.empty()) write_lookaside_signature(signature_dir, signature);
  store.touch(id);
  return pushed;
}

}  // namespace schicht::copy
