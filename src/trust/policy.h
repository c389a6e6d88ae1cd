// policy.json (containers-policy.json(5)): the model, a strict parser and the file lookup.
//
// Parsing fails closed: an unknown, duplicated or mistyped key, an unknown transport or
// requirement type, a missing `default` or an empty requirement list rejects the whole file
// with kInvalidInput naming the file and where in it the problem is. A missing file is an
// error too (as in podman): there is no built-in fallback policy.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schicht::trust {

// signedIdentity: what a signature's claimed docker-reference must match.
struct SignedIdentity {
  // matchExact, matchRepoDigestOrExact, matchRepository, exactReference, exactRepository,
  // remapIdentity.
  std::string type;
  std::string docker_reference;   // exactReference
  std::string docker_repository;  // exactRepository
  std::string prefix;             // remapIdentity
  std::string signed_prefix;      // remapIdentity
};

// sigstoreSigned `fulcio`: certificates issued by a Fulcio CA to one OIDC identity.
struct FulcioRequirement {
  std::string ca_path;  // caPath, or
  std::string ca_data;  // caData: base64 of the PEM CA certificate(s)
  std::string oidc_issuer;
  std::string subject_email;
};

struct Requirement {
  // insecureAcceptAnything, reject, signedBy, sigstoreSigned: as spelled in the file.
  std::string type;
  std::string key_type;  // signedBy: GPGKeys (the other documented values are unimplemented)
  // Which key source the file names ("keyPath", "keyPaths", "keyData", "keyDatas", "fulcio",
  // "pki") and its paths.
  std::string key_source;
  std::vector<std::string> key_paths;
  // keyData / keyDatas as written (base64 of the key material).
  std::vector<std::string> key_datas;
  // sigstoreSigned: which rekorPublicKey* member is set, "" when none, and its paths or data
  // (base64 of PEM public keys).
  std::string rekor_source;
  std::vector<std::string> rekor_paths;
  std::vector<std::string> rekor_datas;
  std::optional<FulcioRequirement> fulcio;
  std::optional<SignedIdentity> signed_identity;

  bool needs_signatures() const { return type == "signedBy" || type == "sigstoreSigned"; }
};

using Requirements = std::vector<Requirement>;

struct Policy {
  std::string path;  // the file it came from, for messages
  Requirements default_requirements;
  // transport name -> scope -> requirements; std::map keeps scopes sorted, as podman lists them.
  std::map<std::string, std::map<std::string, Requirements>> transports;
};

// What a requirement trusts, for `image trust explain`: its key paths ("/k1, /k2"), or "fulcio CA
// /ca.pem, issuer I, email E", then "; rekor key /r" when a Rekor key is set; "" for neither.
std::string describe_trust(const Requirement& requirement);

// Parses `bytes`; `path` names the file in errors.
Policy parse_policy(std::string_view bytes, const std::string& path);

// Reads and parses `path`; kNotFound when it does not exist.
Policy load_policy(const std::string& path);

// The policy file to use: `explicit_path` when not empty, else
// $HOME/.config/containers/policy.json when it exists, else /etc/containers/policy.json.
std::string policy_path(std::string_view explicit_path);

// The transports policy.json may name.
bool is_known_transport(std::string_view transport);

}  // namespace schicht::trust
