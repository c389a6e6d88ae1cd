#include "trust/identity.h"

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::trust {
namespace {

bool name_only(const Reference& r) {
  return r.tag.empty() && !r.digest;
}

// matchRepoDigestOrExact: a digest reference needs only the same repository (the digest itself
// is checked against the manifest); a tagged one must match exactly.
bool repo_digest_or_exact(const Reference& image, const Reference& signed_ref) {
  if (image.digest) return image.name() == signed_ref.name();
  if (!image.tag.empty()) return image.str() == signed_ref.str();
  return false;
}

// remapIdentity's prefix test: the name equals `prefix` or continues it with a '/'.
bool matches_prefix(const std::string& name, const std::string& prefix) {
  if (name.size() < prefix.size()) return false;
  if (name.size() == prefix.size()) return name == prefix;
  return name.starts_with(prefix) && name[prefix.size()] == '/';
}

}  // namespace

bool identity_matches(const std::optional<SignedIdentity>& identity, const Reference& image,
                      std::string_view signed_reference) {
  std::optional<Reference> signed_ref = Reference::try_parse(signed_reference);
  if (!signed_ref) return false;
  std::string type = identity ? identity->type : "matchRepoDigestOrExact";
  if (type == "matchExact") {
    return !name_only(image) && !name_only(*signed_ref) && image.str() == signed_ref->str();
  }
  if (type == "matchRepoDigestOrExact") return repo_digest_or_exact(image, *signed_ref);
  if (type == "matchRepository") return image.name() == signed_ref->name();
  if (type == "exactReference") {
    std::optional<Reference> wanted = Reference::try_parse(identity->docker_reference);
    return wanted && !name_only(*wanted) && !name_only(*signed_ref) &&
           wanted->str() == signed_ref->str();
  }
  if (type == "exactRepository") {
    std::optional<Reference> wanted = Reference::try_parse(identity->docker_repository);
    return wanted && wanted->name() == signed_ref->name();
  }
  if (type == "remapIdentity") {
    Reference remapped = image;
    if (matches_prefix(image.name(), identity->prefix)) {
      std::string text = image.str();
      text.replace(0, identity->prefix.size(), identity->signed_prefix);
      std::optional<Reference> parsed = Reference::try_parse(text);
      if (!parsed) return false;
      remapped = *parsed;
    }
    return repo_digest_or_exact(remapped, *signed_ref);
  }
  fail(ErrorKind::kInternal, fmt::format("unknown signedIdentity type {:?}", type));
}

void check_identity(const std::optional<SignedIdentity>& identity, const Reference& image,
                    std::string_view signed_reference) {
  if (!Reference::try_parse(signed_reference)) {
    fail(ErrorKind::kPolicy,
         fmt::format("invalid signature payload: invalid docker reference {:?}", signed_reference));
  }
  if (identity_matches(identity, image, signed_reference)) return;
  fail(
      ErrorKind::kPolicy,
      fmt::format("signature for another identity: it is for {:?}, which signedIdentity {} does "
                  "not accept for {}",
                  std::string(signed_reference),
                  identity ? identity->type : "matchRepoDigestOrExact (the default)", image.str()));
}

}  // namespace schicht::trust
