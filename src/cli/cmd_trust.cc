// `image trust show|set` as podman 4.3 has them, and schicht's `image trust explain`.
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "artifacts/local.h"
#include "cli/command_tree.h"
#include "cli/commands.h"
#include "cli/policy.h"
#include "copy/explain.h"
#include "copy/signatures.h"
#include "copy/supply_chain.h"
#include "core/error.h"
#include "gotemplate/tabwriter.h"
#include "transport/transport_name.h"
#include "trust/evaluate.h"
#include "trust/policy_edit.h"

namespace schicht::cli {
namespace {

using nlohmann::ordered_json;

// One line per signature or attestation found, under the "found:" label.
void print_evidence(const std::vector<copy::Evidence>& found) {
  if (found.empty()) fmt::print("found:        no signatures or attestations\n");
  for (const copy::Evidence& e : found) {
    std::string what = e.kind;
    if (!e.artifact_type.empty() && e.kind == "referrer") what += " " + e.artifact_type;
    if (!e.signer.empty()) what += " by " + e.signer;
    fmt::print("found:        {} at {}: {}\n", what, e.origin, e.verdict);
  }
}

// `image trust explain containers-storage:IMAGE`: what the store keeps referring to a local
// image. The policy judges where images come from, so nothing here is judged.
int explain_local(Context& ctx, const std::string& text, const std::string& image) {
  store::Store& store = ctx.store();
  Descriptor subject = artifacts::local_image_descriptor(store, image);
  std::vector<copy::Evidence> found;
  for (const artifacts::Artifact& a : artifacts::local_referrers(store, subject.digest)) {
    Descriptor d = artifacts::referrer_descriptor(a.manifest);
    found.push_back(copy::referrer_evidence(
        fmt::format("artifact {} ({})", a.info.name, d.digest.str()), d.artifact_type,
        "not judged: the policy judges images where they are pulled from, not in local "
        "storage"));
  }
  fmt::print("image:        {}\n", text);
  fmt::print("manifest:     {}\n", subject.digest.str());
  print_evidence(found);
  return 0;
}

// What explain found, and its exit code: 0 when the policy accepts, 1 when it rejects.
int print_explanation(const copy::Explanation& explained, const std::string& path) {
  const trust::Decision& d = explained.decision;
  fmt::print("image:        {}\n", explained.subject.name);
  fmt::print("policy:       {}\n", path);
  fmt::print("scopes tried: {}\n", fmt::join(explained.subject.scopes, ", "));
  fmt::print("applies:      {}\n", d.match.describe());
  for (const trust::Requirement& r : *d.match.requirements) {
    std::string keys = trust::describe_trust(r);
    fmt::print("requirement:  {}{}\n", r.type, keys.empty() ? "" : " (" + keys + ")");
  }
  if (const auto& chain = explained.chain) {
    fmt::print("manifest:     {}\n", chain->manifest_digest.str());
    print_evidence(chain->found);
  }
  for (const std::string& line : d.checked) fmt::print("signature:    {}\n", line);
  if (d.accepted) {
    fmt::print("decision:     accepted\n");
    return 0;
  }
  fmt::print("decision:     rejected by {}: {}\n", d.requirement, d.reason);
  return 1;
}

}  // namespace

int cmd_image_trust_show(Context& ctx, TrustShowOptions& parsed, Invocation& /*invocation*/) {
  auto& [policy_file, json, raw, noheading] = parsed;
  std::string path = trust::policy_path(policy_file.empty() ? ctx.options().policy : policy_file);
  if (raw) {
    fmt::print("{}\n", trust::read_policy_text(path));
    return 0;
  }
  trust::Policy policy = trust::load_policy(path);
  auto lookaside = copy::load_registries_d(ctx.options().registries_d);
  std::vector<trust::TrustRow> rows = trust::trust_rows(
      policy, *lookaside,
      [](const std::string& warning) { fmt::print(stderr, "WARNING: {}\n", warning); });
  if (json) {
    ordered_json out = ordered_json::array();
    for (const trust::TrustRow& row : rows) {
      ordered_json item = {{"transport", row.transport}};
      if (!row.name.empty()) item["name"] = row.name;
      if (!row.repo_name.empty()) item["repo_name"] = row.repo_name;
      if (!row.store.empty()) item["sigstore"] = row.store;
      item["type"] = row.type;
      if (!row.gpg_id.empty()) item["gpg_id"] = row.gpg_id;
      out.push_back(item);
    }
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  std::string text;
  gotemplate::TabWriter table(text);
  if (!noheading) table.write("TRANSPORT\tNAME\tTYPE\tID\tSTORE\n");
  for (const trust::TrustRow& row : rows) {
    table.write(fmt::format("{}\t{}\t{}\t{}\t{}\n", row.transport, row.repo_name, row.type,
                            row.gpg_id, row.store));
  }
  table.flush();
  fmt::print("{}", text);
  return 0;
}

int cmd_image_trust_set(Context& ctx, TrustSetOptions& parsed, Invocation& invocation) {
  auto& [policy_file, type, keys] = parsed;
  trust::set_trust(trust::policy_path(policy_file.empty() ? ctx.options().policy : policy_file),
                   invocation.positional[0], type, keys);
  return 0;
}

int cmd_image_trust_explain(Context& ctx, TrustExplainOptions& parsed, Invocation& invocation) {
  auto& [signature_policy, tls_verify, cert_dir, authfile, policy_only] = parsed;
  const FlagSet& flags = invocation.flags;
  const std::vector<std::string>& positional = invocation.positional;
  std::string text = positional[0];
  auto transport_ref = transport::parse_transport_name(text);
  if (transport_ref && transport_ref->transport == transport::Transport::kContainersStorage) {
    if (transport_ref->rest.empty()) {
      fail(ErrorKind::kInvalidInput, "containers-storage: needs an image name or ID");
    }
    return explain_local(ctx, text, transport_ref->rest);
  }
  std::string path =
      trust::policy_path(signature_policy.empty() ? ctx.options().policy : signature_policy);
  registry::RegistryOptions options;
  if (flags.changed("tls-verify")) options.tls_verify = tls_verify;
  options.cert_dir = cert_dir;
  options.auth_file = authfile;
  trust::Policy policy = trust::load_policy(path);
  return print_explanation(
      copy::explain_source(policy, text, ctx.options().registries_d, options, policy_only), path);
}

int cmd_image_trust(Context& ctx, CommandArgs args) {
  std::string_view sub = args.empty() ? "" : std::string_view(args[0]);
  if (const Command* command = find_command(image_trust_commands(), sub)) {
    return run_command(ctx, command->spec, args.subspan(1));
  }
  fmt::print("Usage:\n  schicht image trust [command]\n\nAvailable Commands:\n");
  for (const Command& command : image_trust_commands()) {
    fmt::print("  {:<14}{}\n", command.name, command.summary);
  }
  return sub.empty() || sub == "-h" || sub == "--help" ? 0 : 125;
}

}  // namespace schicht::cli
