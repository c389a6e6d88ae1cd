#include "transport/recover.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "archive/layer.h"
#include "core/error.h"
#include "core/media_type.h"
#include "core/time.h"
#include "oci/config.h"
#include "oci/manifest.h"
#include "store/artifacts.h"
#include "store/config_facts.h"
#include "store/db.h"
#include "store/lost_database.h"
#include "store/names_journal.h"
#include "store/store.h"

namespace schicht::transport {
namespace {

// Manifests are small JSON documents; larger blobs are layers.
constexpr uint64_t kMaxManifest = uint64_t{4} << 20;

// Whether the database at root opens and passes SQLite's quick check; else what is wrong.
std::optional<std::string> database_damage(const fs::path& root) {
  if (store::database_missing(root)) return "db.sqlite is missing or empty";
  try {
    store::Db db((root / "db.sqlite").string());
    store::Statement st(db, "PRAGMA quick_check");
    if (!st.step() || st.text(0) != "ok") return fmt::format("quick_check: {}", st.text(0));
    return std::nullopt;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kIntegrity) throw;  // e.g. permissions: nothing to recover
    std::string why = e.what();
    return why.substr(0, why.find(": the database is damaged;"));  // without the hint to recover
  }
}

struct Found {
  int64_t mtime = 0;  // of the manifest blob: when it was stored, roughly
  store::NewImage image;
};

// The blob's modification time, for ordering manifests of one image.
int64_t mtime_of(const BlobStore& blobs, const Digest& digest) {
  struct stat st {};
  if (::stat(blobs.path_of(digest).c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

struct LayerFacts {
  Digest diff_id;
  uint64_t uncompressed_size;
};

class Rebuilder {
 public:
  explicit Rebuilder(store::Store& store) : blobs_(store.blobs()) {}

  // The image `digest` describes when it is a manifest whose blobs are all there; nullopt when
  // the blob is no manifest; kIntegrity/kInvalidInput (as skipped) when one is incomplete.
  std::optional<store::NewImage> image_of(const Digest& digest, uint64_t size) {
    if (size > kMaxManifest || size == 0) return std::nullopt;
    std::string raw = blobs_.read(digest, kMaxManifest);
    size_t start = raw.find_first_not_of(" \t\r\n");
    if (start == std::string::npos || raw[start] != '{') return std::nullopt;
    std::string type = detect_manifest_type(raw);
    if (!media_type::is_manifest(type)) return std::nullopt;
    std::optional<Manifest> parsed;
    try {
      parsed = parse_manifest(raw, type);
    } catch (const Error&) {
      return std::nullopt;  // JSON that is not a valid manifest: a config or another document
    }
    const Manifest& manifest = *parsed;
    present(manifest.config, "config");
    ImageConfig config = parse_config(blobs_.read(manifest.config.digest, kMaxManifest * 16));
    if (config.diff_ids.size() != manifest.layers.size()) {
      fail(ErrorKind::kIntegrity, fmt::format("{} layers, but the config lists {} diffIDs",
                                              manifest.layers.size(), config.diff_ids.size()));
    }
    store::NewImage image{.id = config.id,
                          .config_size = config.raw.size(),
                          .manifest_digest = digest,
                          .manifest_media_type = manifest.media_type,
                          .manifest_size = raw.size()};
    image.created = config.created.empty() ? 0 : rfc3339_to_unix_nanos(config.created);
    store::take_config_facts(image, config);
    for (size_t i = 0; i < manifest.layers.size(); ++i) {
      const Descriptor& d = manifest.layers[i];
      present(d, "layer");
      const LayerFacts& facts = layer_facts(d.digest);
      if (facts.diff_id != config.diff_ids[i]) {
        fail(ErrorKind::kIntegrity,
             fmt::format("layer {} has diffID {}, but the config expects {}", d.digest.str(),
                         facts.diff_id.str(), config.diff_ids[i].str()));
      }
      // docker-archive loads store plain tars that their generated manifest calls gzip.
      std::string type = d.media_type;
      if (type == media_type::kDockerLayerGzip && d.digest == facts.diff_id) {
        type = media_type::kDockerLayer;
      }
      image.layers.push_back(store::LayerInfo{d.digest, static_cast<uint64_t>(d.size), type,
                                              facts.diff_id, facts.uncompressed_size});
    }
    return image;
  }

 private:
  void present(const Descriptor& d, std::string_view what) {
    auto size = blobs_.size_of(d.digest);
    if (!size) fail(ErrorKind::kNotFound, fmt::format("{} {} is missing", what, d.digest.str()));
    if (*size != static_cast<uint64_t>(d.size)) {
      fail(ErrorKind::kIntegrity,
           fmt::format("{} {} has {} bytes instead of {}", what, d.digest.str(), *size, d.size));
    }
  }

  // Read once per layer blob: layers are shared between images.
  const LayerFacts& layer_facts(const Digest& digest) {
    auto it = layers_.find(digest.str());
    if (it != layers_.end()) return it->second;
    auto fd = blobs_.open(digest);
    FdReader reader(fd.get(), blobs_.path_of(digest).string());
    LayerDigests d = digest_layer(reader, nullptr, digest.str());
    if (d.digest != digest) {
      fail(ErrorKind::kIntegrity, fmt::format("layer {} does not match its digest", digest.str()));
    }
    return layers_.emplace(digest.str(), LayerFacts{d.diff_id, d.uncompressed_size}).first->second;
  }

  const BlobStore& blobs_;
  std::map<std::string, LayerFacts> layers_;
};

// An OCI artifact manifest (an artifactType, or the empty config): what `artifact add`, pull
// --referrers and the like store; nullopt for anything else.
std::optional<Manifest> artifact_manifest(const BlobStore& blobs, const Digest& digest,
                                          uint64_t size) {
  if (size > kMaxManifest || size == 0) return std::nullopt;
  std::string raw = blobs.read(digest, kMaxManifest);
  size_t start = raw.find_first_not_of(" \t\r\n");
  if (start == std::string::npos || raw[start] != '{') return std::nullopt;
  if (detect_manifest_type(raw) != media_type::kOciManifest) return std::nullopt;
  std::optional<Manifest> parsed;
  try {
    parsed = parse_manifest(std::move(raw), media_type::kOciManifest);
  } catch (const Error&) {
    return std::nullopt;  // another JSON document
  }
  if (parsed->artifact_type.empty() && parsed->config.media_type != media_type::kOciEmpty) {
    return std::nullopt;
  }
  return parsed;
}

// "host/path" of a stored name "host/path:tag" or "host/path@digest".
std::string repository_of(std::string_view name) {
  if (size_t at = name.find('@'); at != std::string_view::npos) name = name.substr(0, at);
  size_t slash = name.rfind('/'), colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    name = name.substr(0, colon);
  }
  return std::string(name);
}

// The name a recovered artifact gets (artifact names are not journaled): a referrer is named as
// pull --referrers names one, by its subject image's repository; any other by its digest.
std::string recovered_artifact_name(store::Store& store, const Manifest& manifest) {
  if (!manifest.subject) {
    return fmt::format("localhost/recovered-artifact:{}", manifest.digest.short_hex());
  }
  std::string repository = "localhost/referrers";
  if (std::optional<Digest> id = store.image_by_manifest(manifest.subject->digest)) {
    std::optional<store::ImageInfo> image = store.image(*id);
    if (image && !image->names.empty()) repository = repository_of(image->names.front());
  }
  return fmt::format("{}:ref-{}-{}", repository, manifest.subject->digest.short_hex(),
                     manifest.digest.short_hex());
}

// Records an artifact whose blobs are all there, with their descriptors' sizes.
std::string recover_artifact(store::Store& store, const Manifest& manifest) {
  std::vector<store::ArtifactBlob> rows{
      {manifest.digest, manifest.raw.size(), std::string(media_type::kOciManifest)}};
  std::vector<Descriptor> blobs{manifest.config};
  blobs.insert(blobs.end(), manifest.layers.begin(), manifest.layers.end());
  for (const Descriptor& d : blobs) {
    std::optional<uint64_t> size = store.blobs().size_of(d.digest);
    if (!size) fail(ErrorKind::kNotFound, fmt::format("blob {} is missing", d.digest.str()));
    if (*size != static_cast<uint64_t>(d.size)) {
      fail(ErrorKind::kIntegrity,
           fmt::format("blob {} has {} bytes instead of {}", d.digest.str(), *size, d.size));
    }
    rows.push_back({d.digest, static_cast<uint64_t>(d.size), d.media_type});
  }
  std::string name = recovered_artifact_name(store, manifest);
  store::recover_artifact(store, name, rows);
  return name;
}

}  // namespace

RecoverReport recover_store(const fs::path& root) {
  RecoverReport report;
  make_dirs(root, 0700);
  // No deleter runs while the images are rebuilt: their blobs look unreferenced until then.
  FileLock gc(root / "gc.lock", FileLock::Mode::kExclusive);
  if (auto damage = database_damage(root)) {
    report.why_moved = *damage;
    if (fs::exists(root / "db.sqlite")) report.moved_aside = store::move_database_aside(root);
  }
  store::Store store(root, /*recovering=*/true);
  Rebuilder rebuilder(store);

  std::vector<std::pair<Digest, uint64_t>> blobs;
  store.blobs().walk([&](const Digest& d, uint64_t size) { blobs.emplace_back(d, size); });
  // An artifact whose blobs went is no artifact any more; its remaining blobs stay.
  report.removed_artifacts = store::remove_artifact_rows_without_blobs(store);
  std::vector<Found> found;
  std::vector<Manifest> artifacts;
  for (const auto& [digest, size] : blobs) {
    if (store.image_by_manifest(digest)) continue;  // the database still knows it
    if (!store::artifacts_with_digest_prefix(store, digest.hex()).empty()) continue;
    try {
      if (auto artifact = artifact_manifest(store.blobs(), digest, size)) {
        artifacts.push_back(std::move(*artifact));
        continue;
      }
      if (auto image = rebuilder.image_of(digest, size)) {
        found.push_back(Found{mtime_of(store.blobs(), digest), std::move(*image)});
      }
    } catch (const Error& e) {
      report.skipped.push_back(fmt::format("manifest {}: {}", digest.str(), e.what()));
    }
  }
  // Oldest first: the last manifest added to an image becomes its current one.
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return a.mtime != b.mtime ? a.mtime < b.mtime
                              : a.image.manifest_digest.str() < b.image.manifest_digest.str();
  });
  std::map<std::string, std::vector<std::string>> names_of;  // image ID → names restored
  for (const auto& f : found) {
    store.add_image(f.image, {}, "recover");
    names_of[f.image.id.str()];
  }
  for (const auto& [name, id] : store::replay_names_journal(root)) {
    if (store.image_by_name(name) || !store.image(id)) continue;
    store.tag(id, name, "recover");
    ++report.names;
    if (auto it = names_of.find(id.str()); it != names_of.end()) it->second.push_back(name);
  }
  // After the images and their names: a referrer is named by its subject's repository.
  for (const Manifest& m : artifacts) {
    try {
      std::string name = recover_artifact(store, m);
      report.artifacts.push_back(fmt::format("{} {}", m.digest.str(), name));
    } catch (const Error& e) {
      report.skipped.push_back(fmt::format("artifact {}: {}", m.digest.str(), e.what()));
    }
  }
  for (const auto& [id, names] : names_of) {
    std::string line = id;
    for (const auto& n : names) line += " " + n;
    report.recovered.push_back(line);
  }
  return report;
}

}  // namespace schicht::transport
