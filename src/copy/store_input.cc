#include "copy/store_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "archive/compression.h"
#include "archive/tar_index.h"
#include "copy/archive_image.h"
#include "copy/copy_image.h"
#include "copy/dir_image.h"
#include "copy/oci_dir_image.h"
#include "copy/parallel.h"
#include "copy/storage_image.h"
#include "core/error.h"
#include "core/media_type.h"
#include "core/reference.h"
#include "oci/index.h"
#include "registry/registry_client.h"
#include "transport/source_policy.h"
#include "trust/evaluate.h"

namespace schicht::copy {
namespace {

using transport::Transport;
using transport::TransportRef;

// Names an archive entry carries, normalized as podman normalizes local names.
std::vector<std::string> local_names(const std::vector<std::string>& carried,
                                     const std::string& shown) {
  std::vector<std::string> names;
  for (const std::string& name : carried) {
    names.push_back(with_context(fmt::format("{}: image name {:?}", shown, name), [&] {
      return Reference::parse_local(name).with_default_tag().str();
    }));
  }
  return names;
}

// podman names an image pulled from oci:DIR after the directory as typed ("oci:/a/b:x" gives
// "localhost/a/b:latest"); a path that makes no valid name fails, as it does in podman.
std::vector<std::string> oci_dir_names(const TransportRef& source) {
  std::string path = source.path;
  path.erase(0, path.find_first_not_of('/'));
  std::string name = "localhost/" + path;
  return {with_context(fmt::format("parsing {:?}", name),
                       [&] { return Reference::parse(name).with_default_tag().str(); })};
}

// containers/image's words when an archive is not of the kind its transport says.
void check_archive_kind(const TransportRef& source, const fs::path& file) {
  if (source.transport != Transport::kOciArchive && source.transport != Transport::kDockerArchive) {
    return;
  }
  TarIndex index(file, source.path);
  if (source.transport == Transport::kDockerArchive && !index.has("manifest.json")) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: loading tar component manifest.json: file does not exist", source.path));
  }
  if (source.transport == Transport::kOciArchive &&
      (!index.has("index.json") || !index.has("oci-layout"))) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: loading index: index.json or oci-layout: file does not exist",
                     source.path));
  }
}

// `file`: the archive to read (source.path, or the temp file it was decompressed into).
std::unique_ptr<ImageSource> open_local(const TransportRef& source, const fs::path& file) {
  switch (source.transport) {
    case Transport::kOci:
      return oci_dir_source(source.path, source.ref, source.str());
    case Transport::kOciArchive:
      return oci_archive_source(file, source.ref, source.str());
    case Transport::kDockerArchive:
      return docker_archive_source(file, source.ref, source.str());
    case Transport::kDir:
      return dir_source(source.path, source.str());
    default:
      fail(ErrorKind::kInternal, fmt::format("{} is not a local transport", source.str()));
  }
}

// The image a copy into the store wrote: the manifest's image, else (a list) the image the
// first name denotes.
Digest stored_id(store::Store& store, const Digest& written) {
  return store.image_by_manifest(written).value_or(written);
}

// A file `load` reads in place: the archive itself when it is an uncompressed file, else a
// temp file in the store's ingest directory (removed when this ends; one a crash leaves is a
// stale ingest file `system check --repair` removes) holding the stream decompressed: a
// compressed archive, or a pipe, has no ranges to read in place.
class ArchiveFile {
 public:
  ArchiveFile(store::Store& store, const LoadInput& input) {
    if (!input.file.empty()) {
      UniqueFd fd = open_read(input.file);
      char head[kCompressionMagicSize] = {};
      ssize_t n = ::pread(fd.get(), head, sizeof head, 0);
      if (n < 0) fail_errno("read", input.name);
      struct stat st {};
      if (::fstat(fd.get(), &st) != 0) fail_errno("stat", input.name);
      if (S_ISREG(st.st_mode) && detect_compression(std::string_view(
                                     head, static_cast<size_t>(n))) == Compression::kNone) {
        path_ = input.file;
        return;
      }
      FdReader reader(fd.get(), input.name);
      spool(store, reader, input.name);
      return;
    }
    spool(store, *input.stream, input.name);
  }
  ~ArchiveFile() {
    if (temp_) ::unlink(path_.c_str());
  }
  ArchiveFile(const ArchiveFile&) = delete;
  ArchiveFile& operator=(const ArchiveFile&) = delete;

  const fs::path& path() const { return path_; }
  bool temp() const { return temp_; }

 private:
  void spool(store::Store& store, Reader& raw, const std::string& name) {
    std::string pattern = (store.blobs().ingest_dir() / "load-XXXXXX").string();
    int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) fail_errno("create", pattern);
    UniqueFd file(fd);
    path_ = pattern;
    temp_ = true;
    try {
      std::unique_ptr<DecompressingReader> plain = decompress(raw);
      FdWriter out(file.get(), path_.string());
      with_context(name, [&] { copy_stream(*plain, out); });
    } catch (...) {
      // The destructor does not run for a constructor that throws.
      ::unlink(path_.c_str());
      throw;
    }
  }

  fs::path path_;
  bool temp_ = false;
};

// Messages name the input as given, not the temp file it was decompressed into; with
// `prefix`, every message names the archive, whichever layer failed.
[[noreturn]] void rethrow_naming(const Error& e, const ArchiveFile* file, const std::string& name,
                                 bool prefix) {
  std::string what = e.what();
  if (file != nullptr && file->temp()) {
    const std::string temp = file->path().string();
    for (size_t at = what.find(temp); at != std::string::npos; at = what.find(temp, at)) {
      what.replace(at, temp.size(), name);
      at += name.size();
    }
  }
  if (prefix && what.find(name) == std::string::npos) what = name + ": " + what;
  throw Error(e.kind(), what);
}

// How many entries of an archive a load copies at once.
constexpr size_t kParallelEntries = 4;

trust::Subject load_subject(const LoadInput& input, std::string_view transport) {
  if (!input.file.empty()) {
    return transport::policy_subject(transport::local_transport_ref(
        transport, fs::absolute(input.file).lexically_normal().string()));
  }
  // A stream has no path, so no path scope: only the transport's "" scope or the default.
  bool oci = transport == "oci-archive";
  return {
      std::string(transport), fmt::format("{}:{}{}", transport, input.name, oci ? ":" : ""), {}};
}

// Before a byte is read: when the policy rejects the archive whichever type it turns out to
// be, it is refused at once (podman lists what each type said). The engine admits the type
// found in any case.
void refuse_either(const LoadInput& input, const trust::Policy* policy) {
  if (policy == nullptr) return;
  trust::NoSignatures none;
  std::vector<std::string> rejections;
  for (std::string_view transport : {"oci-archive", "docker-archive"}) {
    trust::Decision d = trust::evaluate(*policy, load_subject(input, transport), none);
    if (d.accepted) return;
    rejections.push_back(fmt::format(" * {}: {}", transport, trust::rejection_message(d)));
  }
  fail(ErrorKind::kPolicy,
       fmt::format("payload does not match any of the supported image formats:\n{}\n{}",
                   rejections[0], rejections[1]));
}

// The entries of index.json a load copies: images and lists of images; anything else there
// (an artifact, or a referrer that save --referrers listed with its artifactType) is not an
// image to load and is passed over, as podman passes it over.
std::vector<size_t> oci_entries(OpenedArchive& archive) {
  const Index& index = archive.oci_index();
  std::vector<size_t> entries;
  for (size_t i = 0; i < index.manifests.size(); ++i) {
    const std::string& type = index.manifests[i].media_type;
    if (!index.manifests[i].artifact_type.empty()) continue;
    if (media_type::is_manifest(type) || media_type::is_index(type)) entries.push_back(i);
  }
  if (entries.empty()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: index.json lists no image", archive.file().string()));
  }
  return entries;
}

std::vector<LoadedImage> load_file(store::Store& store, const LoadInput& input,
                                   const fs::path& file, const trust::Policy* policy) {
  const std::string shown = file.string();
  // Indexed once for every entry.
  auto archive = std::make_shared<OpenedArchive>(file, kArchiveConfigLimit);
  bool docker = archive->tar().has("manifest.json");
  bool oci = archive->tar().has("oci-layout") && archive->tar().has("index.json");
  if (!docker && !oci) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: neither a docker-archive (no manifest.json) nor an oci-archive (no "
                     "oci-layout and index.json)",
                     shown));
  }
  std::string_view transport = docker ? "docker-archive" : "oci-archive";
  if (docker && input.referrers) {
    // Refused before anything is stored, as save --referrers refuses to write one: the user
    // asked for referrers, and this archive cannot have any.
    fail(ErrorKind::kInvalidInput,
         fmt::format("--referrers: {} is a docker-archive, which cannot hold referrers (only an "
                     "oci-archive can); load it without --referrers",
                     input.name));
  }
  trust::Subject subject = load_subject(input, transport);
  std::vector<size_t> entries;
  if (docker) {
    entries.resize(archive->docker_manifest().size());
    for (size_t i = 0; i < entries.size(); ++i) entries[i] = i;
  } else {
    entries = oci_entries(*archive);
  }
  CopyOptions options;
  options.multi_arch = MultiArch::kAll;
  options.store = [&]() -> store::Store& { return store; };
  StoreBatch batch(store, "load");
  // Entries are copied a few at a time: an archive of many small images would otherwise wait on
  // each image's few blob flushes in turn. Each entry's layers move in parallel too.
  std::vector<std::optional<std::pair<Digest, std::vector<std::string>>>> written(entries.size());
  run_parallel(entries.size(), kParallelEntries, [&](size_t k, const std::atomic<bool>&) {
    const size_t i = entries[k];
    std::string name = fmt::format("{}:{}", transport, shown);
    std::vector<std::string> names;
    std::unique_ptr<SourceAdmission> admission = unsigned_admission(policy, subject);
    Digest digest = copy_admitted(
        *admission,
        [&] {
          return docker ? docker_archive_entry_source(archive, i, name)
                        : oci_archive_entry_source(archive, i, name);
        },
        [&](ImageSource& source) {
          names = local_names(source.carried_names(), shown);
          return batch.destination(k, names);
        },
        options);
    written[k].emplace(digest, std::move(names));
  });
  batch.commit();
  std::vector<LoadedImage> loaded;
  for (auto& entry : written) {
    auto& [digest, names] = *entry;
    loaded.push_back(LoadedImage{stored_id(store, digest), std::move(names), digest});
  }
  if (input.referrers && oci) {
    std::vector<LayoutReferrer> referrers;
    const Index& index = archive->oci_index();
    for (size_t i = 0; i < index.manifests.size(); ++i) {
      if (index.manifests[i].artifact_type.empty()) continue;
      referrers.push_back(LayoutReferrer{
          index.manifests[i], oci_archive_entry_source(archive, i, "oci-archive:" + shown)});
    }
    input.referrers(referrers, loaded);
  }
  return loaded;
}

}  // namespace

std::vector<LoadedImage> pull_local(store::Store& store, const TransportRef& source,
                                    const trust::Policy* policy, const TransferOptions& transfer,
                                    const LoadReferrers& referrers, bool unpack) {
  if (!source.is_local()) {
    fail(ErrorKind::kInternal, fmt::format("{} is not a local transport", source.str()));
  }
  CopyOptions options;
  options.transfer = transfer;
  options.store = [&]() -> store::Store& { return store; };
  std::vector<std::string> stored;
  std::unique_ptr<SourceAdmission> admission =
      unsigned_admission(policy, transport::policy_subject(source));
  bool archive =
      source.transport == Transport::kOciArchive || source.transport == Transport::kDockerArchive;
  // An archive is read in place, or (compressed) from a decompressed temp copy, as
  // containers/image reads a compressed docker-archive.
  std::optional<ArchiveFile> file;
  try {
    Digest written = copy_admitted(
        *admission,
        [&] {
          fs::path path = source.path;
          if (archive) {
            file.emplace(store, LoadInput{.file = source.path, .name = source.path});
            path = file->path();
          }
          check_archive_kind(source, path);
          return open_local(source, path);
        },
        [&](ImageSource& opened) {
          // After the admission: a refused source fails on the policy, whatever its name.
          if (source.transport == Transport::kOci) {
            stored = oci_dir_names(source);
          } else if (source.transport != Transport::kDir) {
            stored = local_names(opened.carried_names(), source.path);
          }
          return storage_destination(store, stored, "pull", unpack);
        },
        options);
    std::vector<LoadedImage> loaded{LoadedImage{stored_id(store, written), stored, written}};
    bool layout = source.transport == Transport::kOci || source.transport == Transport::kOciArchive;
    if (referrers && layout) {
      // Each referrer read by its digest from the layout the image came from.
      bool dir = source.transport == Transport::kOci;
      fs::path path = dir ? fs::path(source.path) : file->path();
      Index index = dir ? layout_index(path, source.str())
                        : OpenedArchive(path, registry::kManifestSizeLimit).oci_index();
      std::vector<LayoutReferrer> found;
      for (const Descriptor& entry : index.manifests) {
        if (entry.artifact_type.empty()) continue;
        found.push_back(LayoutReferrer{entry, dir ? oci_dir_source(path, "", source.str())
                                                  : oci_archive_source(path, "", source.str())});
      }
      referrers(found, loaded);
    }
    return loaded;
  } catch (const Error& e) {
    rethrow_naming(e, file ? &*file : nullptr, source.path, false);
  }
}

std::vector<LoadedImage> load_archive(store::Store& store, const LoadInput& input,
                                      const trust::Policy* policy) {
  refuse_either(input, policy);
  std::optional<ArchiveFile> file;
  try {
    file.emplace(store, input);
    return load_file(store, input, file->path(), policy);
  } catch (const Error& e) {
    rethrow_naming(e, file ? &*file : nullptr, input.name, true);
  }
}

}  // namespace schicht::copy
