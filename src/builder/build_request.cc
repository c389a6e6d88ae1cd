#include "builder/build_request.h"

#include <cstdlib>

#include <fmt/format.h>

#include "core/error.h"
#include "core/reference.h"

namespace schicht::builder {
namespace {

std::pair<std::string, std::string> split_key_value(const std::string& text,
                                                    std::string_view flag) {
  size_t eq = text.find('=');
  if (eq == std::string::npos) {
    // podman takes "--build-arg NAME" as NAME from the environment.
    if (flag == "build-arg") {
      const char* value = std::getenv(text.c_str());
      return {text, value != nullptr ? value : ""};
    }
    return {text, ""};
  }
  return {text.substr(0, eq), text.substr(eq + 1)};
}

int64_t parse_epoch(const std::string& text, std::string_view what) {
  try {
    size_t used = 0;
    long long value = std::stoll(text, &used);
    if (used == text.size() && value >= 0) return value;
  } catch (const std::exception&) {
  }
  fail(ErrorKind::kInvalidInput, fmt::format("{}: {:?} is not a number of seconds", what, text));
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at; (at = text.find(separator, start)) != std::string_view::npos; start = at + 1) {
    out.emplace_back(text.substr(start, at - start));
  }
  out.emplace_back(text.substr(start));
  return out;
}

std::optional<Platform> wanted(const Platform& platform) {
  Platform chosen = platform.normalize();
  return wanted_platforms(PlatformChoice{chosen.os, chosen.architecture, chosen.variant}).front();
}

// One entry of --platform's list, settled and normalized as pull's is.
std::optional<Platform> list_platform(const std::string& part, const std::string& list) {
  std::vector<std::string> fields = split(part, '/');
  bool valid = fields.size() == 2 || fields.size() == 3;
  for (const auto& f : fields) valid = valid && !f.empty();
  if (!valid) {
    std::string message =
        fmt::format("invalid platform syntax for {:?} (use OS/ARCH[/VARIANT][,...])", part);
    // podman names the entry of a list twice.
    if (list.find(',') != std::string::npos) {
      message = fmt::format("unable to parse platform {:?}: {}", part, message);
    }
    fail(ErrorKind::kInvalidInput, message);
  }
  return wanted(Platform::parse(part));
}

// The platforms of --platform (a comma-separated list), or of --os/--arch/--variant; one
// nullopt (this machine's) when none is given.
std::vector<std::optional<Platform>> build_platforms(const BuildRequest& r) {
  if (!r.platform.empty() && (!r.os.empty() || !r.arch.empty() || !r.variant.empty())) {
    fail(ErrorKind::kInvalidInput,
         "invalid --platform may not be used with --os, --arch, or --variant");
  }
  if (r.platform.empty()) {
    if (r.os.empty() && r.arch.empty() && r.variant.empty()) return {std::nullopt};
    return {wanted(Platform{.os = r.os, .architecture = r.arch, .variant = r.variant})};
  }
  std::vector<std::optional<Platform>> out;
  for (const auto& part : split(r.platform, ',')) out.push_back(list_platform(part, r.platform));
  return out;
}

// The Containerfile: --file, else Containerfile or Dockerfile in the context.
void find_containerfile(const BuildRequest& request, const std::string& context_arg,
                        BuildOptions& options) {
  if (request.files.size() > 1) fail(ErrorKind::kUnsupported, "only one --file is supported");
  if (!request.files.empty()) {
    options.containerfile = fs::absolute(request.files[0]);
    options.containerfile_name = request.files[0];
    return;
  }
  std::error_code ec;
  for (const char* name : {"Containerfile", "Dockerfile"}) {
    if (fs::is_regular_file(options.context_dir / name, ec)) {
      options.containerfile = options.context_dir / name;
      options.containerfile_name = (fs::path(context_arg) / name).lexically_normal().string();
      return;
    }
  }
  fail(ErrorKind::kNotFound,
       fmt::format("no Containerfile or Dockerfile specified or found in context directory, "
                   "{}: no such file or directory",
                   options.context_dir.string()));
}

void add_key_values(const std::vector<std::string>& texts, std::string_view flag,
                    std::map<std::string, std::string>& into) {
  for (const auto& text : texts) {
    auto [key, value] = split_key_value(text, flag);
    into.insert_or_assign(key, value);
  }
}

}  // namespace

std::string default_image_format() {
  const char* env = std::getenv("BUILDAH_FORMAT");
  return env != nullptr && *env != 0 ? env : "oci";
}

BuildInputs settle_build_inputs(const BuildRequest& request) {
  BuildInputs out;
  BuildOptions& options = out.options;
  std::string context_arg = request.context.empty() ? "." : request.context;
  options.context_dir = fs::absolute(context_arg);
  std::error_code ec;
  if (!fs::is_directory(options.context_dir, ec)) {
    fail(ErrorKind::kNotFound,
         fmt::format("context must be a directory: {:?}: no such file or directory", context_arg));
  }
  find_containerfile(request, context_arg, options);
  for (const auto& t : request.tags)
    options.tags.push_back(Reference::parse_local(t).with_default_tag().str());
  // A repeated build arg keeps its first value; labels and annotations their last.
  for (const auto& a : request.build_args)
    options.build_args.insert(split_key_value(a, "build-arg"));
  add_key_values(request.labels, "label", options.labels);
  add_key_values(request.annotations, "annotation", options.annotations);
  if (!request.tags.empty()) options.commit_name = request.tags.front();
  if (request.image_format == "docker") {
    options.docker_format = true;
  } else if (request.image_format != "oci") {
    fail(ErrorKind::kInvalidInput,
         fmt::format("unrecognized image type {:?}", request.image_format));
  }
  out.platforms = build_platforms(request);
  options.target = request.target;
  return out;
}

void settle_build_policies(const BuildRequest& request, BuildOptions& options) {
  options.use_cache = !request.no_cache;
  options.layers = request.layers;
  options.quiet = request.quiet;
  options.squash = request.squash;
  options.identity_label = request.identity_label;
  const std::string& pull = request.pull;
  if (pull == "missing" || pull == "true" || pull == "ifmissing" || pull == "ifnotpresent") {
    options.pull = PullPolicy::kMissing;
  } else if (pull == "always") {
    options.pull = PullPolicy::kAlways;
  } else if (pull == "never" || pull == "false") {
    options.pull = PullPolicy::kNever;
  } else {
    fail(ErrorKind::kInvalidInput, fmt::format("invalid pull policy {:?}", pull));
  }
  if (!request.timestamp.empty()) {
    options.timestamp = parse_epoch(request.timestamp, "--timestamp");
  } else if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
             epoch != nullptr && *epoch != 0) {
    options.timestamp = parse_epoch(epoch, "SOURCE_DATE_EPOCH");
  }
}

}  // namespace schicht::builder
