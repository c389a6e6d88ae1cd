#include "copy/short_names.h"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "core/error.h"
#include "core/fs.h"
#include "transport/transport_name.h"

namespace schicht::copy {
namespace {

constexpr std::string_view kDockerPrefix = "docker://";

[[noreturn]] void fail_invalid(std::string_view text) {
  fail(
      ErrorKind::kInvalidInput,
      fmt::format("Invalid image name \"{}\", expected colon-separated transport:reference", text));
}

// The configuration files in the order they were merged: the main file, then the drop-ins.
std::vector<fs::path> conf_files(const registry::RegistriesConfSources& sources) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!sources.file.empty() && fs::exists(sources.file, ec)) files.push_back(sources.file);
  for (const fs::path& dir : sources.drop_in_dirs) {
    std::vector<fs::path> drop_ins;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".conf") drop_ins.push_back(entry.path());
    }
    std::sort(drop_ins.begin(), drop_ins.end());
    files.insert(files.end(), drop_ins.begin(), drop_ins.end());
  }
  return files;
}

// The last file that says what `defines` looks for, as podman names where a short name was
// settled; the main file when none says it on its own.
std::string origin(const registry::RegistriesConfSources& sources,
                   const std::function<bool(const registry::RegistriesConf&)>& defines) {
  std::string found = sources.file.string();
  for (const fs::path& file : conf_files(sources)) {
    bool drop_in = file != sources.file;
    ignore_error("the merged configuration loaded already; this only names a file", [&] {
      if (defines(registry::RegistriesConf::parse(read_file(file), file.string(), drop_in))) {
        found = file.string();
      }
    });
  }
  return found;
}

// `name` with the tag or digest of `typed`, ":latest" when it has neither.
Reference with_version_of(Reference name, const Reference& typed) {
  name.tag = typed.digest ? "" : typed.tag;
  name.digest = typed.digest;
  return name.with_default_tag();
}

}  // namespace

bool names_other_transport(std::string_view text) {
  auto named = transport::parse_transport_name(text);
  return named && named->transport != transport::Transport::kDocker;
}

Reference parse_docker_name(std::string_view text) {
  if (text.starts_with(kDockerPrefix)) text.remove_prefix(kDockerPrefix.size());
  if (!Reference::try_parse(text)) fail_invalid(text);
  return Reference::parse_docker_ref(text);
}

PullCandidates resolve_pull_name(std::string_view text, const registry::RegistriesConf& conf,
                                 const registry::RegistriesConfSources& sources) {
  if (text.starts_with(kDockerPrefix)) return {{parse_docker_name(text)}, ""};
  if (auto named = transport::parse_transport_name(text)) {
    fail(ErrorKind::kUnsupported,
         fmt::format("pulling from \"{}\": the {} transport is not supported; schicht pulls from "
                     "docker://, oci:, oci-archive:, docker-archive: and dir:",
                     text, named->name));
  }
  if (!Reference::try_parse(text)) {
    // As podman's pull: a name that breaks the reference grammar fails with the grammar's own
    // error ("invalid reference format", a name too long, ...); one that only fails to
    // normalize is an invalid transport:reference.
    (void)Reference::parse_unnormalized(text);
    fail_invalid(text);
  }
  if (has_explicit_domain(text)) return {{Reference::parse_docker_ref(text)}, ""};

  Reference typed = Reference::parse_unnormalized(text);
  std::string short_name = typed.name();
  if (std::optional<Reference> alias = conf.alias(short_name)) {
    std::string file = origin(sources, [&](const registry::RegistriesConf& one) {
      return one.alias(short_name).has_value();
    });
    return {{with_version_of(*alias, typed)},
            fmt::format("Resolved \"{}\" as an alias ({})", short_name, file)};
  }
  std::string file = origin(sources, [](const registry::RegistriesConf& one) {
    return !one.unqualified_search_registries().empty();
  });
  const std::vector<std::string>& search = conf.unqualified_search_registries();
  if (search.empty()) {
    fail(ErrorKind::kNotFound,
         fmt::format("short-name \"{}\" did not resolve to an alias and no unqualified-search "
                     "registries are defined in \"{}\"",
                     text, file));
  }
  PullCandidates out;
  for (const std::string& registry : search) {
    Reference name = Reference::parse(fmt::format("{}/{}", registry, short_name));
    out.references.push_back(with_version_of(name, typed));
  }
  out.note =
      fmt::format("Resolving \"{}\" using unqualified-search registries ({})", short_name, file);
  return out;
}

}  // namespace schicht::copy
