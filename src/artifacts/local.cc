#include "artifacts/local.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/media_type.h"
#include "core/reference.h"
#include "core/time.h"
#include "store/image_writer.h"
#include "store/lookup.h"

namespace schicht::artifacts {
namespace {

[[noreturn]] void not_exist(std::string_view text) {
  fail(ErrorKind::kNotFound, fmt::format("{}: artifact does not exist", text));
}

bool is_hex(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// A title names a file inside the target directory: never a path, never "." or "..".
void check_title(const std::string& title) {
  if (title.empty() || title == "." || title == ".." || title.find('/') != std::string::npos ||
      title.find('\0') != std::string::npos) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("the artifact's layer title {:?} is not a plain file name", title));
  }
}

std::string file_name_of(const Descriptor& layer) {
  auto it = layer.annotations.find(std::string(kTitleAnnotation));
  if (it != layer.annotations.end()) {
    check_title(it->second);
    return it->second;
  }
  std::string name = layer.digest.str();
  name[name.find(':')] = '-';
  return name;
}

// Copies the blob into `path` through a temp file beside it, renamed over it at the end.
void write_blob_to(store::Store& store, const Digest& digest, const fs::path& path) {
  UniqueFd blob = store.blobs().open(digest);
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::string temp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  int fd = mkstemp(temp.data());
  if (fd < 0) {
    fail(ErrorKind::kIo,
         fmt::format("creating a file in {}: {}", dir.string(), std::strerror(errno)));
  }
  UniqueFd out(fd);
  try {
    FdReader reader(blob.get(), digest.str());
    FdWriter writer(out.get(), path.string());
    copy_stream(reader, writer);
    if (fchmod(out.get(), 0644) != 0 || fsync(out.get()) != 0) {
      fail(ErrorKind::kIo, fmt::format("writing {}: {}", path.string(), std::strerror(errno)));
    }
    out.reset();
    if (rename(temp.c_str(), path.c_str()) != 0) {
      fail(ErrorKind::kIo, fmt::format("writing {}: {}", path.string(), std::strerror(errno)));
    }
  } catch (...) {
    unlink(temp.c_str());
    throw;
  }
}

struct InputFile {
  fs::path path;
  UniqueFd fd;
  uint64_t size = 0;
  std::string title;
};

InputFile open_input(const fs::path& path) {
  InputFile in{.path = path};
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    // Go's wording, as podman prints it: "stat PATH: no such file or directory".
    int err = errno;
    std::string reason = std::strerror(err);
    if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(reason[0]));
    fail(err == ENOENT ? ErrorKind::kNotFound : ErrorKind::kIo,
         fmt::format("stat {}: {}", path.string(), reason));
  }
  in.fd = UniqueFd(fd);
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    fail(ErrorKind::kInvalidInput, fmt::format("{} is not a regular file", path.string()));
  }
  in.size = static_cast<uint64_t>(st.st_size);
  in.title = path.filename().string();
  return in;
}

}  // namespace

std::string artifact_name(std::string_view text) {
  return Reference::parse_local(text).str();
}

uint64_t Artifact::size() const {
  uint64_t total = 0;
  for (const auto& l : manifest.layers) total += static_cast<uint64_t>(l.size);
  return total;
}

Artifact read_artifact(store::Store& store, const store::ArtifactInfo& info) {
  return Artifact{.info = info,
                  .manifest = parse_manifest(store.blobs().read(info.manifest, size_t{4} << 20),
                                             media_type::kOciManifest)};
}

std::optional<Artifact> find_artifact(store::Store& store, std::string_view text) {
  if (auto name = Reference::try_parse(text)) {
    if (auto info = store::artifact_by_name(store, artifact_name(text))) {
      return read_artifact(store, *info);
    }
  }
  std::string_view hex = text;
  if (hex.starts_with("sha256:")) hex.remove_prefix(7);
  if (!is_hex(hex) || hex.size() > 64) return std::nullopt;
  auto found = store::artifacts_with_digest_prefix(store, hex);
  std::set<std::string> digests;
  for (const auto& f : found) digests.insert(f.manifest.str());
  if (digests.size() > 1) {
    fail(ErrorKind::kConflict, fmt::format("{}: artifact digest prefix is ambiguous", text));
  }
  if (found.empty()) return std::nullopt;
  return read_artifact(store, found.front());
}

Artifact resolve_artifact(store::Store& store, std::string_view text) {
  if (auto a = find_artifact(store, text)) return std::move(*a);
  not_exist(text);
}

std::vector<Artifact> all_artifacts(store::Store& store) {
  std::vector<Artifact> out;
  for (const auto& info : store::artifacts(store)) out.push_back(read_artifact(store, info));
  return out;
}

Descriptor local_image_descriptor(store::Store& store, std::string_view image) {
  Digest id = store::resolve_image(store, image);
  std::optional<store::ImageInfo> info = store.image(id);
  if (!info) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", image));
  std::optional<uint64_t> size = store.blobs().size_of(info->manifest_digest);
  if (!size) fail(ErrorKind::kIntegrity, fmt::format("the manifest of {} is missing", image));
  return Descriptor{.media_type = info->manifest_media_type,
                    .digest = info->manifest_digest,
                    .size = static_cast<int64_t>(*size)};
}

Digest add_artifact(store::Store& store, std::string_view name_text,
                    const std::vector<fs::path>& files, const AddOptions& options) {
  if (options.append && options.replace) {
    fail(ErrorKind::kInvalidInput, "--append and --replace cannot be used together");
  }
  if (options.append && !options.artifact_type.empty()) {
    fail(ErrorKind::kInvalidInput, "--append option cannot be used with the --type option");
  }
  if (files.empty()) fail(ErrorKind::kInvalidInput, "at least one file is required");
  std::string name = artifact_name(name_text);
  std::optional<store::ArtifactInfo> existing = store::artifact_by_name(store, name);
  if (existing && !options.append && !options.replace) {
    fail(ErrorKind::kConflict,
         fmt::format("{}: artifact already exists (use --append or --replace)", name));
  }
  if (options.append && !existing) not_exist(name);

  std::vector<Descriptor> layers;
  std::map<std::string, std::string> annotations;
  std::string artifact_type = options.artifact_type;
  std::optional<Descriptor> subject = options.subject;
  if (options.append) {
    Artifact old = read_artifact(store, *existing);
    layers = old.manifest.layers;
    annotations = old.manifest.annotations;
    artifact_type = old.manifest.artifact_type;
    if (!subject) subject = old.manifest.subject;
  } else {
    annotations[std::string(kCreatedAnnotation)] = format_rfc3339_nano(store::now_ns());
  }
  for (const auto& [k, v] : options.manifest_annotations) annotations[k] = v;
  std::set<std::string> titles;
  for (const auto& l : layers) {
    auto it = l.annotations.find(std::string(kTitleAnnotation));
    if (it != l.annotations.end()) titles.insert(it->second);
  }
  std::vector<InputFile> inputs;
  for (const auto& f : files) {
    inputs.push_back(open_input(f));
    if (!titles.insert(inputs.back().title).second) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: a file of that name already exists in artifact {}", inputs.back().title,
                       name));
    }
  }

  store::ImageWriter writer(store);
  for (auto& in : inputs) {
    FdReader reader(in.fd.get(), in.path.string());
    Digest digest = writer.put_blob(reader, std::nullopt, in.size, in.path.string());
    Descriptor layer{
        .media_type = options.file_type.empty() ? std::string(kDefaultFileType) : options.file_type,
        .digest = digest,
        .size = static_cast<int64_t>(in.size)};
    layer.annotations = options.annotations;
    layer.annotations[std::string(kTitleAnnotation)] = in.title;
    layers.push_back(std::move(layer));
  }
  Descriptor config = empty_descriptor();
  if (!writer.protect(config.digest)) writer.put("{}", config.digest, "empty config");
  std::string raw = serialize_oci_manifest(config, layers, annotations, subject, artifact_type);
  Digest digest = Digest::sha256_of(raw);
  if (!writer.protect(digest)) writer.put(raw, digest, "artifact manifest");

  std::vector<store::ArtifactBlob> blobs{
      {digest, raw.size(), std::string(media_type::kOciManifest)},
      {config.digest, static_cast<uint64_t>(config.size), config.media_type}};
  for (const auto& l : layers) {
    blobs.push_back({l.digest, static_cast<uint64_t>(l.size), l.media_type});
  }
  store::put_artifact(store, writer, name, blobs,
                      existing ? std::optional(existing->manifest) : std::nullopt);
  return digest;
}

Digest store_artifact(store::Store& store, const std::string& name, const Manifest& manifest,
                      BlobFetch& fetch, bool replace) {
  std::optional<store::ArtifactInfo> existing = store::artifact_by_name(store, name);
  if (existing && !replace) {
    fail(ErrorKind::kConflict, fmt::format("{}: artifact already exists", name));
  }
  store::ImageWriter writer(store);
  std::vector<Descriptor> blobs{manifest.config};
  blobs.insert(blobs.end(), manifest.layers.begin(), manifest.layers.end());
  std::vector<store::ArtifactBlob> rows{
      {manifest.digest, manifest.raw.size(), std::string(media_type::kOciManifest)}};
  for (const auto& b : blobs) {
    rows.push_back({b.digest, static_cast<uint64_t>(b.size), b.media_type});
    if (writer.protect(b.digest)) continue;
    if (b.data) {
      writer.put(*b.data, b.digest, b.media_type);
      continue;
    }
    writer.adopt(b.digest);
    std::unique_ptr<Ingest> ingest = store.blobs().begin_ingest(b.digest.str());
    fetch.fetch(b, *ingest);
    writer.put_ingest(std::move(ingest), b.digest, static_cast<uint64_t>(b.size), b.digest.str());
  }
  if (!writer.protect(manifest.digest)) writer.put(manifest.raw, manifest.digest, "manifest");
  store::put_artifact(store, writer, name, rows,
                      existing ? std::optional(existing->manifest) : std::nullopt);
  return manifest.digest;
}

std::string inspect_json(const Artifact& artifact) {
  nlohmann::ordered_json out;
  out["Manifest"] = nlohmann::ordered_json::parse(artifact.manifest.raw);
  out["Name"] = artifact.info.name;
  out["Digest"] = artifact.info.manifest.str();
  return out.dump(5);
}

void extract_artifact(store::Store& store, const Artifact& artifact, const fs::path& target,
                      const std::optional<std::string>& digest,
                      const std::optional<std::string>& title) {
  if (digest && title) {
    fail(ErrorKind::kInvalidInput, "--title and --digest cannot be used together");
  }
  std::vector<Descriptor> chosen;
  for (const auto& l : artifact.manifest.layers) {
    if (digest && l.digest.str() != *digest && l.digest.hex() != *digest) continue;
    if (title) {
      auto it = l.annotations.find(std::string(kTitleAnnotation));
      if (it == l.annotations.end() || it->second != *title) continue;
    }
    chosen.push_back(l);
  }
  if (chosen.empty()) {
    if (digest) fail(ErrorKind::kNotFound, fmt::format("no blob with the digest {:?}", *digest));
    if (title) fail(ErrorKind::kNotFound, fmt::format("no blob with the title {:?}", *title));
    fail(ErrorKind::kInvalidInput, fmt::format("artifact {} has no layers", artifact.info.name));
  }
  std::error_code ec;
  if (fs::is_directory(target, ec)) {
    std::vector<std::pair<Digest, fs::path>> out;
    for (const auto& l : chosen) out.emplace_back(l.digest, target / file_name_of(l));
    for (const auto& [d, path] : out) write_blob_to(store, d, path);
    return;
  }
  if (chosen.size() > 1) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("the artifact consists of several blobs and the target {} is not a "
                     "directory (use --digest or --title to choose one)",
                     target.string()));
  }
  write_blob_to(store, chosen.front().digest, target);
}

std::vector<Artifact> local_referrers(store::Store& store, const Digest& subject) {
  std::vector<Artifact> out;
  for (auto& a : all_artifacts(store)) {
    if (a.manifest.subject && a.manifest.subject->digest == subject) out.push_back(std::move(a));
  }
  return out;
}

Descriptor referrer_descriptor(const Manifest& manifest) {
  Descriptor d{.media_type = manifest.media_type.empty() ? std::string(media_type::kOciManifest)
                                                         : manifest.media_type,
               .digest = manifest.digest,
               .size = static_cast<int64_t>(manifest.raw.size())};
  d.artifact_type =
      manifest.artifact_type.empty() ? manifest.config.media_type : manifest.artifact_type;
  d.annotations = manifest.annotations;
  return d;
}

std::string referrer_name(store::Store& store, std::string_view subject,
                          const Digest& subject_digest, const std::vector<std::string>& files) {
  Digest id = store::resolve_image(store, subject);
  std::string repository = "localhost/referrers";
  if (auto named = store::find_name(store, id, subject)) {
    // "host/path:tag" -> "host/path"; a digested name up to its '@'.
    repository = *named;
    size_t slash = repository.rfind('/');
    size_t colon = repository.rfind(':');
    if (size_t at = repository.find('@'); at != std::string::npos) {
      repository.resize(at);
    } else if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
      repository.resize(colon);
    }
  }
  return fmt::format("{}:ref-{}-{}", repository, subject_digest.short_hex(),
                     Digest::sha256_of(fmt::format("{}", fmt::join(files, "\n"))).short_hex());
}

Discovered discover_local(store::Store& store, std::string_view image) {
  Discovered out{.subject = local_image_descriptor(store, image)};
  for (const auto& a : local_referrers(store, out.subject.digest)) {
    out.referrers.push_back(referrer_descriptor(a.manifest));
  }
  return out;
}

}  // namespace schicht::artifacts
