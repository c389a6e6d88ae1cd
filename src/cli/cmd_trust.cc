// `image trust show|set` as podman 4.3 has them, and schicht's `image trust explain`.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "artifacts/local.h"
#include "cli/commands.h"
#include "cli/policy.h"
#include "copy/short_names.h"
#include "copy/signatures.h"
#include "copy/supply_chain.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"
#include "gotemplate/tabwriter.h"
#include "registry/registries_conf.h"
#include "transport/source_policy.h"
#include "transport/transport_name.h"
#include "trust/base64.h"
#include "trust/evaluate.h"
#include "trust/gpg.h"
#include "trust/scope.h"

namespace schicht::cli {
namespace {

using nlohmann::ordered_json;

// podman's names for requirement types in `trust show`.
std::string show_type(const std::string& type) {
  if (type == "insecureAcceptAnything") return "accept";
  if (type == "signedBy") return "signed";
  return type;
}

struct ShowRow {
  std::string transport, name, repo_name, type, gpg_id, store;
};

// The user IDs of a signedBy requirement's keys, as podman shows them ("a@b.c, d@e.f"). A key
// that cannot be read is reported on stderr and leaves the column empty, as in podman.
std::string key_identities(const trust::Requirement& r) {
  try {
    std::vector<std::string> keyrings;
    for (const std::string& path : r.key_paths) keyrings.push_back(read_file(path));
    for (const std::string& data : r.key_datas) {
      std::optional<std::string> keyring = trust::base64_decode(data);
      if (!keyring) fail(ErrorKind::kInvalidInput, "keyData is not base64");
      keyrings.push_back(*keyring);
    }
    // Per keyring, as podman asks gpg about each file: a key named twice is listed twice.
    std::vector<std::string> ids;
    for (const std::string& keyring : keyrings) {
      for (std::string& id : trust::gpg_key_identities({keyring})) ids.push_back(std::move(id));
    }
    return fmt::format("{}", fmt::join(ids, ", "));
  } catch (const Error& e) {
    fmt::print(stderr, "WARNING: getting key identity: {}\n", e.what());
    return "";
  }
}

std::vector<ShowRow> show_rows(const trust::Policy& policy, const trust::RegistriesD& lookaside) {
  std::vector<ShowRow> rows;
  auto add = [&](const trust::Requirements& reqs, const std::string& transport,
                 const std::string& name, const std::string& repo_name, const std::string& store) {
    for (const trust::Requirement& r : reqs) {
      std::string id = r.type == "sigstoreSigned" ? "N/A"
                       : r.type == "signedBy"     ? key_identities(r)
                                                  : "";
      rows.push_back(ShowRow{transport, name, repo_name, show_type(r.type), id, store});
    }
  };
  add(policy.default_requirements, "all", "* (default)", "default", lookaside.store_for_scope(""));
  for (const auto& [transport, scopes] : policy.transports) {
    for (const auto& [scope, reqs] : scopes) {
      add(reqs, transport == "docker" ? "repository" : transport, scope, scope,
          transport == "docker" ? lookaside.store_for_scope(scope) : "");
    }
  }
  return rows;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_errno("reading", path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int trust_show(Context& ctx, CommandArgs args) {
  FlagSet flags;
  std::string policy_file;
  bool json = false, raw = false, noheading = false;
  flags.add_string("policypath", 0, &policy_file, "Path to the policy.json file");
  flags.add_bool("json", 'j', &json, "Output as json");
  flags.add_bool("raw", 0, &raw, "Output raw policy file");
  flags.add_bool("noheading", 'n', &noheading, "Do not print column headings");
  bool help = false;
  auto positional =
      parse_command_flags(ctx, flags, args, "schicht image trust show [options] [REGISTRY]", &help);
  if (help) return 0;
  if (positional.size() > 1) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("accepts at most 1 arg(s), received {}", positional.size()));
  }
  std::string path = trust::policy_path(policy_file.empty() ? ctx.options().policy : policy_file);
  if (raw) {
    fmt::print("{}\n", read_text(path));
    return 0;
  }
  trust::Policy policy = trust::load_policy(path);
  auto lookaside = copy::load_registries_d(ctx.options().registries_d);
  std::vector<ShowRow> rows = show_rows(policy, *lookaside);
  if (json) {
    ordered_json out = ordered_json::array();
    for (const ShowRow& row : rows) {
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
  for (const ShowRow& row : rows) {
    table.write(fmt::format("{}\t{}\t{}\t{}\t{}\n", row.transport, row.repo_name, row.type,
                            row.gpg_id, row.store));
  }
  table.flush();
  fmt::print("{}", text);
  return 0;
}

// Go's json.MarshalIndent(v, "", "    ") of podman's policy structs: requirement keys in the
// order type, keyType, keyPath, keyData, signedIdentity (others kept after them).
ordered_json requirement_json(const ordered_json& r) {
  ordered_json out = ordered_json::object();
  for (const char* key : {"type", "keyType", "keyPath", "keyData", "signedIdentity"}) {
    if (r.contains(key)) out[key] = r[key];
  }
  for (const auto& [key, value] : r.items()) {
    if (!out.contains(key)) out[key] = value;
  }
  return out;
}

std::string policy_text(const ordered_json& doc) {
  ordered_json out = ordered_json::object();
  ordered_json reqs = ordered_json::array();
  for (const auto& r : doc["default"]) reqs.push_back(requirement_json(r));
  out["default"] = reqs;
  if (doc.contains("transports")) {
    // Go marshals maps with sorted keys.
    std::map<std::string, std::map<std::string, ordered_json>> sorted;
    for (const auto& [transport, scopes] : doc["transports"].items()) {
      auto& into = sorted[transport];
      for (const auto& [scope, list] : scopes.items()) {
        ordered_json converted = ordered_json::array();
        for (const auto& r : list) converted.push_back(requirement_json(r));
        into[scope] = converted;
      }
    }
    ordered_json transports = ordered_json::object();
    for (const auto& [transport, scopes] : sorted) {
      ordered_json s = ordered_json::object();
      for (const auto& [scope, list] : scopes) s[scope] = list;
      transports[transport] = s;
    }
    out["transports"] = transports;
  }
  return out.dump(4);
}

int trust_set(Context& ctx, CommandArgs args) {
  FlagSet flags;
  std::string policy_file, type = "signedBy";
  std::vector<std::string> keys;
  flags.add_string("policypath", 0, &policy_file, "Path to the policy.json file");
  flags.add_string("type", 't', &type,
                   "Trust type, accept values: signedBy(default), accept, reject");
  flags.add_strings("pubkeysfile", 'f', &keys, "Path of installed public key(s) to trust");
  bool help = false;
  auto positional =
      parse_command_flags(ctx, flags, args, "schicht image trust set [options] REGISTRY", &help);
  if (help) return 0;
  if (positional.size() != 1) {
    fail(ErrorKind::kInvalidInput, fmt::format("accepts 1 arg(s), received {}", positional.size()));
  }
  const std::string& scope = positional[0];
  ordered_json reqs = ordered_json::array();
  if (type == "accept") {
    reqs.push_back({{"type", "insecureAcceptAnything"}});
  } else if (type == "reject") {
    reqs.push_back({{"type", "reject"}});
  } else if (type == "signedBy" || type == "sigstoreSigned") {
    if (keys.empty()) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("at least one public key must be defined for type '{}'", type));
    }
    for (const std::string& key : keys) {
      ordered_json r = {{"type", type}};
      if (type == "signedBy") r["keyType"] = "GPGKeys";
      r["keyPath"] = key;
      reqs.push_back(r);
    }
  } else {
    fail(ErrorKind::kInvalidInput,
         fmt::format("invalid choice: {} (choose from 'accept', 'reject', 'signedBy', "
                     "'sigstoreSigned')",
                     type));
  }
  if (scope != "default") {
    if (std::string e = trust::scope_error("docker", scope); !e.empty()) {
      fail(ErrorKind::kInvalidInput, e);
    }
  }
  std::string path = trust::policy_path(policy_file.empty() ? ctx.options().policy : policy_file);
  ordered_json doc = ordered_json::object();
  if (std::filesystem::exists(path)) {
    std::string bytes = read_text(path);
    trust::parse_policy(bytes, path);  // refuse to rewrite a file that is not a valid policy
    doc = ordered_json::parse(bytes);
  } else if (scope != "default") {
    fail(ErrorKind::kInvalidInput, "default trust policy must be set");
  }
  if (scope == "default") {
    doc["default"] = reqs;
  } else {
    doc["transports"]["docker"][scope] = reqs;
  }
  std::string text = policy_text(doc);
  trust::parse_policy(text, path);  // what is written must read back
  write_file_atomic(path, text);
  return 0;
}

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

int trust_explain(Context& ctx, CommandArgs args) {
  FlagSet flags;
  std::string signature_policy;
  flags.add_string("signature-policy", 0, &signature_policy, "Path to a signature-policy file");
  bool tls_verify = true, policy_only = false;
  std::string cert_dir, authfile;
  flags.add_bool("tls-verify", 0, &tls_verify,
                 "Require HTTPS and verify certificates when contacting registries (default true)");
  flags.add_string("cert-dir", 0, &cert_dir,
                   "Path to a directory containing TLS certificates and keys");
  flags.add_string("authfile", 0, &authfile, "Path of the authentication file");
  flags.add_bool("policy-only", 0, &policy_only,
                 "Only show the policy that applies; do not list the image's signatures");
  bool help = false;
  auto positional = parse_command_flags(ctx, flags, args,
                                        "schicht image trust explain [options] REFERENCE", &help);
  if (help) return 0;
  if (positional.size() != 1) {
    fail(ErrorKind::kInvalidInput, fmt::format("accepts 1 arg(s), received {}", positional.size()));
  }
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
  trust::Policy policy = trust::load_policy(path);
  trust::Subject subject;
  trust::Decision d;
  std::optional<copy::SupplyChain> chain;
  // A file or directory source is judged as a pull of it is (transport/source_policy.h).
  if (transport_ref && transport_ref->is_local()) {
    subject = transport::policy_subject(*transport_ref);
    trust::NoSignatures none;
    d = trust::evaluate(policy, subject, none);
  } else {
    if (text.starts_with("docker://")) text = text.substr(9);
    Reference reference = Reference::parse_docker_ref(text);
    subject = transport::docker_subject(reference);
    auto registries_d = copy::load_registries_d(ctx.options().registries_d);
    registry::RegistryOptions options;
    if (flags.changed("tls-verify")) options.tls_verify = tls_verify;
    options.cert_dir = cert_dir;
    options.auth_file = authfile;
    registry::RegistriesConf conf = registry::RegistriesConf::load();
    d = copy::evaluate_registry_image(policy, *registries_d, reference, conf, options);
    // A scope that rejects outright is judged without the registry, as a pull of it reads
    // nothing.
    bool rejected_outright = !d.accepted && d.requirement == "reject";
    if (!policy_only && !rejected_outright) {
      chain = copy::registry_supply_chain(policy, subject, *registries_d, reference, conf, options);
    }
  }
  fmt::print("image:        {}\n", subject.name);
  fmt::print("policy:       {}\n", path);
  fmt::print("scopes tried: {}\n", fmt::join(subject.scopes, ", "));
  fmt::print("applies:      {}\n", d.match.describe());
  for (const trust::Requirement& r : *d.match.requirements) {
    std::string keys = trust::describe_trust(r);
    fmt::print("requirement:  {}{}\n", r.type, keys.empty() ? "" : " (" + keys + ")");
  }
  if (chain) {
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

int cmd_image_trust(Context& ctx, CommandArgs args) {
  std::string_view sub = args.empty() ? "" : std::string_view(args[0]);
  CommandArgs rest = args.empty() ? args : args.subspan(1);
  if (sub == "show") return trust_show(ctx, rest);
  if (sub == "set") return trust_set(ctx, rest);
  if (sub == "explain") return trust_explain(ctx, rest);
  fmt::print(
      "Usage:\n  schicht image trust [command]\n\nAvailable Commands:\n"
      "  explain       Show the policy that applies to an image and its signatures\n"
      "  set           Set default trust policy or a new trust policy for a registry\n"
      "  show          Display trust policy for the system\n");
  return sub.empty() || sub == "-h" || sub == "--help" ? 0 : 125;
}

}  // namespace schicht::cli
