// load, save and import: images to and from files.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "artifacts/carry_referrers.h"
#include "cli/commands.h"
#include "cli/policy.h"
#include "copy/save.h"
#include "copy/store_input.h"
#include "copy/url_download.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"
#include "http/timeout_environment.h"
#include "images/list_lookup.h"
#include "images/manifest_list.h"
#include "store/event_recorder.h"
#include "store/lookup.h"
#include "transport/import.h"

namespace schicht::cli {
namespace {

// An input file, or stdin when `path` is empty or "-" (refused when stdin is a terminal).
struct Input {
  UniqueFd owned;
  int fd = STDIN_FILENO;
  std::string name = "stdin";
};

Input open_input(const std::string& path) {
  Input in;
  if (path.empty() || path == "-") {
    if (::isatty(STDIN_FILENO)) {
      fail(ErrorKind::kInvalidInput,
           "cannot read from terminal, use command-line redirection or the --input flag");
    }
    return in;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail_errno("stat", path);
  in.owned = open_read(path);
  in.fd = in.owned.get();
  in.name = path;
  return in;
}

// podman's `load -i http(s)://...`: the archive is downloaded first (with the registry
// timeouts from the environment), then loaded from the temporary file. podman loads whatever
// body a 404 brings and fails on it as a payload of no known format; schicht says so with the
// same first line, naming the status instead of what the body was not.
Input download_input(const std::string& url) {
  http::HttpOptions http;
  http::apply_timeout_environment(http);
  copy::Downloaded got = copy::download_to_temp_file(url, temp_root(), http);
  if (!got.file) {
    std::string why = fmt::format("{}: the server answered {}", url, http::status_text(got.status));
    fail(ErrorKind::kInvalidInput,
         fmt::format("payload does not match any of the supported image formats:\n"
                     " * oci-archive: {}\n * docker-archive: {}",
                     why, why));
  }
  Input in;
  in.owned = std::move(got.file);
  in.fd = in.owned.get();
  in.name = url;
  return in;
}

// What save writes, and the store it reads them from (an archive is written from one store).
struct SaveItems {
  std::vector<copy::SaveItem> items;
  store::Store* source = nullptr;
};

// The images (or, with a --multi-arch other than system, the one list) the names denote.
// Without -m, every name after the first is another tag of the first image (podman).
SaveItems save_items(Context& ctx, const std::vector<std::string>& names, bool multi,
                     bool whole_lists) {
  store::Store& primary = ctx.store();
  SaveItems out{.items = {}, .source = &primary};
  std::vector<copy::SaveItem>& items = out.items;
  // One name denoting a list stored in the primary store saves the list.
  std::optional<store::ListInfo> list;
  if (whole_lists && names.size() == 1) list = images::find_list(primary, names[0]);
  if (list) {
    std::optional<Digest> first;
    for (const Descriptor& entry : images::read_list(primary, *list).manifests) {
      if ((first = primary.image_by_manifest(entry.digest))) break;
    }
    items.push_back({.id = first.value_or(list->digest), .names = {list->name}, .list = list});
    return out;
  }
  for (size_t i = 0; i < names.size(); ++i) {
    auto [holder, id] = ctx.resolve_image(names[i]);
    if (i == 0) {
      out.source = holder;
    } else if (holder != out.source) {
      fail(ErrorKind::kUnsupported,
           fmt::format("{} and {} are in different stores: save them to separate archives",
                       names[0], names[i]));
    }
    // A name (not an ID or digest) is saved as the stored name it denotes.
    std::optional<std::string> tag = store::find_name(*holder, id, names[i]);
    // Init-captures here and below: clang 14 cannot capture a structured binding.
    auto same = std::find_if(items.begin(), items.end(),
                             [&id = id](const copy::SaveItem& it) { return it.id == id; });
    if (!multi && !items.empty()) same = items.begin();
    if (same == items.end()) {
      items.push_back({id, {}});
      same = items.end() - 1;
    }
    if (tag && std::find(same->names.begin(), same->names.end(), *tag) == same->names.end()) {
      same->names.push_back(*tag);
    }
  }
  return out;
}

// save --referrers: the stored artifacts referring to the saved image (or list), by the
// manifest digest the store has for it.
std::function<void(const Digest&, copy::ImageDestination&)> save_referrers(
    store::Store& store, const copy::SaveItem& item, bool quiet) {
  std::optional<store::ImageInfo> image = store.image(item.id);
  Digest subject = item.list ? item.list->digest : image ? image->manifest_digest : item.id;
  return [&store, subject, quiet](const Digest& top, copy::ImageDestination& out) {
    copy::ReportLine report;
    if (!quiet)
      report = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
    artifacts::save_referrers(store, subject, top, out, report);
  };
}

// Writes the archive or directory to `output` (a file, or stdout unless it is a terminal).
void write_archive(store::Store& store, const std::vector<copy::SaveItem>& items,
                   const std::string& output, const copy::SaveOptions& options) {
  if (copy::is_directory_format(options.format)) {
    if (output.empty()) fail(ErrorKind::kInvalidInput, "no output directory given: use -o DIR");
    copy::save_images(store, items, output, options);
  } else if (output.empty() || output == "-") {
    if (::isatty(STDOUT_FILENO)) {
      fail(ErrorKind::kInvalidInput, "refusing to save to terminal. Use -o flag or redirect");
    }
    FdWriter out(STDOUT_FILENO, "stdout");
    copy::save_images(store, items, out, options);
  } else {
    copy::save_images(store, items, output, options);
  }
}

}  // namespace

int cmd_load(Context& ctx, LoadOptions& parsed, Invocation& /*invocation*/) {
  auto& [input, quiet, referrers, signature_policy] = parsed;
  std::shared_ptr<const trust::Policy> policy = command_policy(ctx, parsed.signature_policy);
  bool url = copy::is_download_url(input);
  Input in = url ? download_input(input) : open_input(input);
  FdReader reader(in.fd, in.name);
  // Archives carry no signatures; the scope of an archive is its path (none for stdin or a
  // download, which are read as streams).
  copy::LoadInput source{
      .file = input.empty() || input == "-" || url ? fs::path() : fs::path(input),
      .stream = &reader,
      .name = in.name};
  if (referrers) {
    store::Store& store = ctx.store();
    source.referrers = [&store, quiet = quiet](std::vector<copy::LayoutReferrer>& found,
                                               const std::vector<copy::LoadedImage>& images) {
      copy::ReportLine report;
      if (!quiet) {
        report = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
      }
      artifacts::load_referrers(store, found, images, report);
    };
  }
  std::vector<copy::LoadedImage> loaded;
  try {
    loaded = copy::load_archive(ctx.store(), source, policy.get());
  } catch (const Error& e) {
    // Not an archive at all: podman lists what it tried; scripts (and podman's own tests) look
    // for its first line.
    std::string_view what = e.what();
    if (e.kind() != ErrorKind::kInvalidInput || !what.starts_with(in.name + ": not a tar archive"))
      throw;
    fail(ErrorKind::kInvalidInput,
         fmt::format("payload does not match any of the supported image formats:\n"
                     " * oci-archive: {}\n * docker-archive: {}",
                     what, what));
  }
  record_image_event(ctx.store(), "loadfromarchive", nullptr, input.empty() ? "-" : input);
  for (const auto& image : loaded) {
    if (image.names.empty()) fmt::print("Loaded image: {}\n", image.id.str());
    for (const auto& name : image.names) fmt::print("Loaded image: {}\n", name);
  }
  return 0;
}

int cmd_save(Context& ctx, SaveOptions& parsed, Invocation& invocation) {
  auto& [output, format, multi_arch, multi, quiet, compress, uncompressed, referrers] = parsed;
  auto& names = invocation.positional;
  if (names.empty()) fail(ErrorKind::kInvalidInput, "need at least 1 argument");
  copy::SaveOptions options;
  try {
    options.format = copy::parse_save_format(format);
  } catch (const Error&) {
    fail(ErrorKind::kInvalidInput,
         "format value must be one of oci-dir oci-archive docker-dir docker-archive");
  }
  options.multi_arch = copy::parse_multi_arch(multi_arch);
  options.compress = compress;
  if (multi && options.format != copy::SaveFormat::kDockerArchive) {
    fail(ErrorKind::kInvalidInput, "--multi-image-archive can only be used with docker-archive");
  }
  if (compress && options.format != copy::SaveFormat::kDockerDir) {
    fail(ErrorKind::kInvalidInput, "--compress can only be set when --format is 'docker-dir'");
  }
  store::Store& primary = ctx.store();
  SaveItems saved = save_items(ctx, names, multi, options.multi_arch != copy::MultiArch::kSystem);
  std::vector<copy::SaveItem>& items = saved.items;
  store::Store& store = *saved.source;
  if (referrers) options.referrers = save_referrers(store, items.front(), quiet);
  write_archive(store, items, output, options);
  // podman: one save event per image, named by where it went (in the primary store's log: an
  // additional store is never written).
  for (const auto& item : items) record_image_event(primary, "save", &item.id, output);
  return 0;
}

int cmd_import(Context& ctx, ImportOptions& parsed, Invocation& invocation) {
  const auto& positional = invocation.positional;
  // podman's own message for none (the spec checks for too many, as cobra does).
  if (positional.empty()) fail(ErrorKind::kInvalidInput, "need at least 1 argument");
  transport::ImportOptions options;
  options.changes = parsed.changes;
  options.message = parsed.message;
  if (invocation.flags.changed("os")) options.os = parsed.os;  // else the import's default
  options.architecture = parsed.arch;
  options.variant = parsed.variant;
  if (positional.size() == 2) {
    options.names.push_back(Reference::parse_local(positional[1]).with_default_tag().str());
  }
  std::shared_ptr<const trust::Policy> policy = command_policy(ctx, parsed.signature_policy);
  Input in = open_input(positional[0]);
  struct stat st {};
  if (in.owned && ::fstat(in.fd, &st) == 0 && S_ISREG(st.st_mode)) {
    options.created_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  }
  FdReader reader(in.fd, in.name);
  Digest id = transport::import_tarball(ctx.store(), reader, in.name, options, policy.get());
  // podman records an import as the tag it gives (nothing for an unnamed one).
  if (positional.size() > 1) record_image_event(ctx.store(), "tag", &id, positional[1]);
  fmt::print("{}\n", id.str());
  return 0;
}

}  // namespace schicht::cli
