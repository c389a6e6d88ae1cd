#include "copy/save.h"

#include <fmt/format.h>

#include "copy/archive_image.h"
#include "copy/dir_image.h"
#include "copy/forwarding_destination.h"
#include "copy/oci_dir_image.h"
#include "copy/stored_image.h"
#include "core/error.h"
#include "core/reference.h"
#include "oci/index.h"

namespace schicht::copy {
namespace {

std::string_view format_name(SaveFormat format) {
  switch (format) {
    case SaveFormat::kDockerArchive:
      return "docker-archive";
    case SaveFormat::kOciArchive:
      return "oci-archive";
    case SaveFormat::kOciDir:
      return "oci-dir";
    case SaveFormat::kDockerDir:
      return "docker-dir";
  }
  return "";
}

std::string_view multi_arch_name(MultiArch multi_arch) {
  return multi_arch == MultiArch::kAll ? "all" : "index-only";
}

// The names a docker-archive entry can list: name:tag ones.
std::vector<std::string> repo_tags(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& name : names) {
    std::optional<Reference> ref = Reference::try_parse(name);
    if (ref && !ref->digest && !ref->tag.empty()) out.push_back(ref->str());
  }
  return out;
}

// Every instance of a list saved whole must be in the store: checked before anything is written.
void check_instances(store::Store& store, const store::ListInfo& list) {
  Index index = with_context("reading manifest list " + list.name, [&] {
    return parse_index(store.blobs().read(list.digest), list.media_type);
  });
  for (const Descriptor& entry : index.manifests) {
    if (!store.image_by_manifest(entry.digest)) {
      fail(ErrorKind::kNotFound,
           fmt::format("saving manifest list {}: image {} is not in local storage (pull the list "
                       "with --all-platforms, or save with --multi-arch system)",
                       list.name, entry.digest.str()));
    }
  }
}

std::unique_ptr<ImageSource> source_of(store::Store& store, const SaveItem& item) {
  StoredImage stored{.id = item.id, .name = "containers-storage:" + std::string(item.id.hex())};
  if (item.list) {
    stored.list = item.list->digest;
    stored.list_media_type = item.list->media_type;
    stored.name = "containers-storage:" + item.list->name;
  }
  return stored_image_source(store, std::move(stored));
}

CopyOptions copy_options(const SaveOptions& options) {
  CopyOptions copy;
  // An archive takes one blob at a time: in the manifest's order, the same bytes every time.
  if (!is_directory_format(options.format)) copy.transfer.jobs = 1;
  copy.multi_arch = options.multi_arch;
  copy.gzip_uncompressed_layers = options.compress;
  return copy;
}

void check(const std::vector<SaveItem>& items, const SaveOptions& options) {
  if (items.empty()) fail(ErrorKind::kInvalidInput, "save: no image to save");
  if (items.size() > 1 && options.format != SaveFormat::kDockerArchive) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{} holds exactly one image", format_name(options.format)));
  }
  if (options.referrers && options.format != SaveFormat::kOciArchive &&
      options.format != SaveFormat::kOciDir) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("--referrers: a {} cannot hold referrers; save with --format oci-archive or "
                     "oci-dir",
                     format_name(options.format)));
  }
  if (options.multi_arch != MultiArch::kSystem && options.format == SaveFormat::kDockerArchive) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("--multi-arch {}: a docker-archive cannot hold a manifest list; save with "
                     "--format oci-archive or oci-dir",
                     multi_arch_name(options.multi_arch)));
  }
}

void save_docker_archive(store::Store& store, const std::vector<SaveItem>& items,
                         const fs::path& output, const CopyOptions& copy) {
  std::unique_ptr<DockerArchiveWriter> archive =
      docker_archive_writer(output, "docker-archive:" + output.string(), /*verify=*/false);
  for (const SaveItem& item : items) {
    std::unique_ptr<ImageSource> source = source_of(store, item);
    std::unique_ptr<ImageDestination> image = archive->image(repo_tags(item.names));
    copy_between(*source, *image, copy);
  }
  archive->commit();
}

}  // namespace

SaveFormat parse_save_format(std::string_view name) {
  for (SaveFormat format : {SaveFormat::kDockerArchive, SaveFormat::kOciArchive,
                            SaveFormat::kOciDir, SaveFormat::kDockerDir}) {
    if (name == format_name(format)) return format;
  }
  fail(ErrorKind::kInvalidInput,
       fmt::format("unsupported format {:?}: use one of docker-archive, oci-archive, oci-dir, "
                   "docker-dir",
                   name));
}

bool is_directory_format(SaveFormat format) {
  return format == SaveFormat::kOciDir || format == SaveFormat::kDockerDir;
}

void save_images(store::Store& store, const std::vector<SaveItem>& items, const fs::path& output,
                 const SaveOptions& options) {
  check(items, options);
  for (const SaveItem& item : items) {
    if (item.list && options.multi_arch == MultiArch::kAll) check_instances(store, *item.list);
  }
  CopyOptions copy = copy_options(options);
  if (options.format == SaveFormat::kDockerArchive) {
    save_docker_archive(store, items, output, copy);
  } else {
    const SaveItem& item = items.front();
    std::string ref = item.names.empty() ? std::string() : item.names.front();
    std::unique_ptr<ImageDestination> destination;
    if (options.format == SaveFormat::kOciArchive) {
      destination = oci_archive_destination(output, ref, "oci-archive:" + output.string(),
                                            /*verify=*/false);
    } else if (options.format == SaveFormat::kOciDir) {
      destination = oci_dir_destination(output, ref, "oci:" + output.string());
    } else {
      destination = dir_destination(output, "dir:" + output.string());
    }
    std::unique_ptr<ImageSource> source = source_of(store, item);
    if (options.referrers) {
      // Before the layout commits, SaveOptions::referrers adds to it.
      CommitHookDestination carrying(*destination, options.referrers);
      copy_between(*source, carrying, copy);
    } else {
      copy_between(*source, *destination, copy);
    }
  }
  for (const SaveItem& item : items) store.touch(item.id);
}

void save_images(store::Store& store, const std::vector<SaveItem>& items, Writer& out,
                 const SaveOptions& options) {
  if (is_directory_format(options.format)) {
    fail(ErrorKind::kInternal, "save: a directory format cannot be streamed");
  }
  TempDir temp(temp_root(), "save");
  fs::path file = temp.path() / "archive.tar";
  save_images(store, items, file, options);
  UniqueFd fd = open_read(file);
  FdReader archive(fd.get(), file.string());
  copy_stream(archive, out);
}

}  // namespace schicht::copy
