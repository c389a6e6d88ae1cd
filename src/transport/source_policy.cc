#include "transport/source_policy.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/fs.h"
#include "transport/storage_name.h"
#include "trust/scope.h"

namespace schicht::transport {
namespace {

// containers/image resolves the path of what exists (symlinks too) and keeps the rest as is.
std::string explicit_path(const std::string& path) {
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(fs::absolute(path), ec);
  if (ec) resolved = fs::absolute(path).lexically_normal();
  return resolved.string();
}

}  // namespace

trust::Subject docker_subject(const Reference& reference) {
  return {"docker", "docker://" + reference.str(), trust::docker_scopes(reference)};
}

trust::Subject policy_subject(const TransportRef& source) {
  switch (source.transport) {
    case Transport::kDocker:
      return docker_subject(Reference::parse_docker_ref(source.rest));
    case Transport::kOci:
    case Transport::kOciArchive:
    case Transport::kDir:
      return {source.name, source.str(), trust::path_scopes(explicit_path(source.path))};
    case Transport::kDockerArchive:
    case Transport::kTarball:
      return {source.name, source.str(), {}};
    default:
      fail(ErrorKind::kUnsupported,
           fmt::format("the {} transport cannot be a source of images", source.name));
  }
}

trust::Subject storage_subject(const TransportRef& source, const fs::path& store_root) {
  // The store's driver as `info` reports it.
  return {source.name, source.str(),
          storage_scopes(storage_name(source), "vfs", fs::absolute(store_root).lexically_normal())};
}

void admit_source(const trust::Policy* policy, const TransportRef& source) {
  if (policy == nullptr) return;
  admit_subject(policy, policy_subject(source));
}

void admit_subject(const trust::Policy* policy, const trust::Subject& subject) {
  if (policy == nullptr) return;
  trust::NoSignatures none;
  trust::admit(*policy, subject, none);
}

}  // namespace schicht::transport
