// artifact add/attach/discover/extract/inspect/ls/pull/push/rm: OCI artifacts in the store and
// referrers in registries, as podman 5's `artifact` commands (and oras' attach/discover) offer
// them. The use cases are in artifacts/; this file parses flags and renders.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "artifacts/local.h"
#include "artifacts/remote.h"
#include "cli/commands.h"
#include "cli/registry_command_options.h"
#include "cli/registry_flags.h"
#include "cli/render.h"
#include "copy/short_names.h"
#include "core/error.h"
#include "core/media_type.h"
#include "core/reference.h"
#include "oci/index.h"
#include "registry/registries_conf.h"
#include "store/lookup.h"

namespace schicht::cli {
namespace {

std::map<std::string, std::string> parse_annotations(const std::vector<std::string>& given) {
  std::map<std::string, std::string> out;
  for (const auto& text : given) {
    size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("annotation {:?} must be formatted as KEY=VALUE", text));
    }
    out[text.substr(0, eq)] = text.substr(eq + 1);
  }
  return out;
}

// The transfer options the registry flags of an artifact command give.
copy::TransferOptions transfer_options(const ArtifactRemoteFlags& remote, const FlagSet& flags) {
  remote.registry.check_authfile();
  copy::TransferOptions out;
  out.registry = remote.registry.options(flags);
  out.registry.http.max_retries = static_cast<int>(std::max<int64_t>(remote.retry, 0));
  if (!remote.quiet) out.report = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  return out;
}

bool is_remote(std::string_view text) {
  return text.starts_with("docker://");
}

std::vector<fs::path> as_paths(std::span<const std::string> texts) {
  return std::vector<fs::path>(texts.begin(), texts.end());
}

// "host/path:tag" -> ("host/path", "tag"); a digested name has no tag.
std::pair<std::string, std::string> split_name(const std::string& name) {
  size_t at = name.find('@');
  if (at != std::string::npos) return {name.substr(0, at), "<none>"};
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    return {name.substr(0, colon), name.substr(colon + 1)};
  }
  return {name, "<none>"};
}

nlohmann::ordered_json descriptor_row(const Descriptor& d) {
  nlohmann::ordered_json row = nlohmann::ordered_json::parse(serialize_descriptor(d));
  return row;
}

void print_referrers(const std::vector<Descriptor>& manifests, const std::string& format,
                     const std::string& subject) {
  if (format == "json") {
    nlohmann::ordered_json out;
    out["subject"] = subject;
    out["manifests"] = nlohmann::ordered_json::array();
    for (const auto& d : manifests) out["manifests"].push_back(descriptor_row(d));
    fmt::print("{}", json_report_raw(out, 4));
    return;
  }
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& d : manifests) {
    rows.push_back({{"Digest", d.digest.str()},
                    {"ArtifactType", d.artifact_type},
                    {"Size", human_size(static_cast<uint64_t>(d.size))}});
  }
  ReportSpec spec{
      .name = "discover",
      .default_format = "table {{.Digest}}\t{{.ArtifactType}}\t{{.Size}}",
      .headers = {{"Digest", "DIGEST"}, {"ArtifactType", "ARTIFACT TYPE"}, {"Size", "SIZE"}}};
  print_report(spec, format, false, rows);
}

}  // namespace

int cmd_artifact_add(Context& ctx, ArtifactAddOptions& parsed, Invocation& invocation) {
  auto& positional = invocation.positional;
  artifacts::AddOptions options{.artifact_type = parsed.type,
                                .annotations = parse_annotations(parsed.annotations),
                                .file_type = parsed.file_type,
                                .append = parsed.append,
                                .replace = parsed.replace};
  store::Store& store = ctx.store();
  if (!parsed.subject.empty()) {
    options.subject = artifacts::local_image_descriptor(store, parsed.subject);
  }
  Digest digest = artifacts::add_artifact(store, positional[0],
                                          as_paths(std::span(positional).subspan(1)), options);
  fmt::print("{}\n", digest.hex());
  return 0;
}

int cmd_artifact_attach(Context& ctx, ArtifactAttachOptions& parsed, Invocation& invocation) {
  auto& [subject, artifact_type, file_type, annotations, name, remote] = parsed;
  auto& positional = invocation.positional;
  if (subject.empty()) fail(ErrorKind::kInvalidInput, "--subject is required");
  if (artifact_type.empty()) fail(ErrorKind::kInvalidInput, "--type is required");
  auto manifest_annotations = parse_annotations(annotations);
  if (is_remote(subject)) {
    if (!name.empty()) fail(ErrorKind::kInvalidInput, "--name is for a local subject only");
    Reference ref = copy::parse_docker_name(subject);
    copy::TransferOptions options = transfer_options(remote, invocation.flags);
    Digest digest =
        artifacts::attach_files(ref, registry::RegistriesConf::load(), options, artifact_type,
                                file_type, positional, manifest_annotations);
    fmt::print("{}\n", digest.str());
    return 0;
  }
  store::Store& store = ctx.store();
  artifacts::AddOptions options{.artifact_type = artifact_type, .file_type = file_type};
  options.subject = artifacts::local_image_descriptor(store, subject);
  if (name.empty()) {
    name = artifacts::referrer_name(store, subject, options.subject->digest, positional);
  }
  options.manifest_annotations = manifest_annotations;
  Digest digest = artifacts::add_artifact(store, name, as_paths(positional), options);
  fmt::print("{}\n", digest.hex());
  return 0;
}

int cmd_artifact_ls(Context& ctx, ArtifactLsOptions& parsed, Invocation& invocation) {
  auto& [noheading, no_trunc, format] = parsed;
  auto& positional = invocation.positional;
  need_args(positional, 0, 0);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& a : artifacts::all_artifacts(ctx.store())) {
    auto [repository, tag] = split_name(a.info.name);
    rows.push_back(
        {{"Repository", repository},
         {"Tag", tag},
         {"Digest", no_trunc ? std::string(a.info.manifest.hex()) : a.info.manifest.short_hex()},
         {"Size", human_size(a.size())}});
  }
  ReportSpec spec{
      .name = "artifact ls",
      .default_format = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.Size}}",
      .headers = {
          {"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"Digest", "DIGEST"}, {"Size", "SIZE"}}};
  print_report(spec, format, noheading, rows);
  return 0;
}

int cmd_artifact_inspect(Context& ctx, NoOptions& /*options*/, Invocation& invocation) {
  auto& positional = invocation.positional;
  need_args(positional, 1, 1);
  fmt::print("{}\n",
             artifacts::inspect_json(artifacts::resolve_artifact(ctx.store(), positional[0])));
  return 0;
}

int cmd_artifact_extract(Context& ctx, ArtifactExtractOptions& parsed, Invocation& invocation) {
  auto& [digest, title] = parsed;
  const FlagSet& flags = invocation.flags;
  auto& positional = invocation.positional;
  need_args(positional, 2, 2);
  store::Store& store = ctx.store();
  artifacts::extract_artifact(store, artifacts::resolve_artifact(store, positional[0]),
                              positional[1],
                              flags.changed("digest") ? std::optional(digest) : std::nullopt,
                              flags.changed("title") ? std::optional(title) : std::nullopt);
  return 0;
}

int cmd_artifact_rm(Context& ctx, ArtifactRmOptions& parsed, Invocation& invocation) {
  auto& [all] = parsed;
  auto& positional = invocation.positional;
  if (all && !positional.empty()) {
    fail(ErrorKind::kInvalidInput,
         "when using the --all switch, you may not pass any artifact names");
  }
  if (!all) need_args(positional, 1, SIZE_MAX);
  store::Store& store = ctx.store();
  std::vector<artifacts::Artifact> chosen;
  if (all) {
    chosen = artifacts::all_artifacts(store);
  } else {
    // Every name is resolved before any is removed: an unknown one changes nothing.
    for (const auto& text : positional) chosen.push_back(artifacts::resolve_artifact(store, text));
  }
  for (const auto& a : chosen) {
    if (store::remove_artifact(store, a.info.name)) fmt::print("{}\n", a.info.manifest.hex());
  }
  return 0;
}

int cmd_artifact_push(Context& ctx, ArtifactRemoteFlags& remote, Invocation& invocation) {
  auto& positional = invocation.positional;
  need_args(positional, 1, 2);
  copy::TransferOptions options = transfer_options(remote, invocation.flags);
  std::optional<Reference> destination;
  if (positional.size() == 2) destination = copy::parse_docker_name(positional[1]);
  store::Store& store = ctx.store();
  artifacts::push_artifact(store, positional[0], destination, registry::RegistriesConf::load(),
                           options);
  return 0;
}

int cmd_artifact_pull(Context& ctx, ArtifactRemoteFlags& remote, Invocation& invocation) {
  auto& positional = invocation.positional;
  copy::TransferOptions options = transfer_options(remote, invocation.flags);
  Reference source = copy::parse_docker_name(positional[0]);
  Digest digest =
      artifacts::pull_artifact(ctx.store(), source, registry::RegistriesConf::load(), options);
  fmt::print("{}\n", digest.hex());
  return 0;
}

int cmd_artifact_discover(Context& ctx, ArtifactDiscoverOptions& parsed, Invocation& invocation) {
  const std::string& text = invocation.positional[0];
  auto discover = [&]() -> artifacts::Discovered {
    if (!is_remote(text)) return artifacts::discover_local(ctx.store(), text);
    Reference ref = copy::parse_docker_name(text);
    copy::TransferOptions options = transfer_options(parsed.remote, invocation.flags);
    return artifacts::discover_remote(ref, registry::RegistriesConf::load(), options);
  };
  artifacts::Discovered found = discover();
  print_referrers(found.referrers, parsed.format, found.subject.digest.str());
  return 0;
}

}  // namespace schicht::cli
