#include "transport/transport_name.h"

#include <array>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::transport {
namespace {

constexpr std::array<std::pair<std::string_view, Transport>, 11> kTransports = {{
    {"docker", Transport::kDocker},
    {"docker-archive", Transport::kDockerArchive},
    {"oci", Transport::kOci},
    {"oci-archive", Transport::kOciArchive},
    {"dir", Transport::kDir},
    {"containers-storage", Transport::kContainersStorage},
    {"docker-daemon", Transport::kDockerDaemon},
    {"tarball", Transport::kTarball},
    {"ostree", Transport::kOther},
    {"sif", Transport::kOther},
    {"atomic", Transport::kOther},
}};

}  // namespace

bool TransportRef::is_local() const {
  return transport == Transport::kOci || transport == Transport::kOciArchive ||
         transport == Transport::kDockerArchive || transport == Transport::kDir;
}

std::string TransportRef::str() const {
  switch (transport) {
    case Transport::kDocker:
      return "docker://" + rest;
    // containers/image prints an OCI reference with its (maybe empty) ref after a colon.
    case Transport::kOci:
    case Transport::kOciArchive:
      return fmt::format("{}:{}:{}", name, path, ref);
    case Transport::kDockerArchive:
    case Transport::kDir:
      return fmt::format("{}:{}{}", name, path, ref_given ? ":" + ref : "");
    default:
      return name + ":" + rest;
  }
}

std::optional<TransportRef> parse_transport_name(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view name = text.substr(0, colon);
  std::optional<Transport> found;
  for (const auto& [known, transport] : kTransports) {
    if (known == name) found = transport;
  }
  if (!found) return std::nullopt;
  TransportRef out{
      .transport = *found, .name = std::string(name), .rest = std::string(text.substr(colon + 1))};
  if (out.transport == Transport::kDocker) {
    // "docker:busybox" is not a docker reference: containers/image wants "docker://".
    if (!out.rest.starts_with("//")) return std::nullopt;
    out.rest.erase(0, 2);
    return out;
  }
  if (!out.is_local()) return out;
  size_t end = out.transport == Transport::kDir ? std::string::npos : out.rest.find(':');
  out.path = out.rest.substr(0, end);
  if (end != std::string::npos) {
    out.ref = out.rest.substr(end + 1);
    out.ref_given = true;
  }
  if (out.path.empty()) fail(ErrorKind::kInvalidInput, fmt::format("{}: no path given", text));
  return out;
}

TransportRef local_transport_ref(std::string_view transport, const std::string& path) {
  for (const auto& [known, kind] : kTransports) {
    if (known != transport) continue;
    TransportRef out{.transport = kind, .name = std::string(known), .rest = path, .path = path};
    if (out.is_local()) return out;
  }
  fail(ErrorKind::kInternal, fmt::format("{:?} is not a file transport", transport));
}

}  // namespace schicht::transport
