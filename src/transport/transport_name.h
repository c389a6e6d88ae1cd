// What a user types to name an image in a transport: "TRANSPORT:REST", as podman and skopeo
// read it (containers-transports(5)). The one parser of transport names: pull, push, load's
// policy check and manifest commands all ask it, so they agree on what names a transport.
//
// - "docker://REF": a registry reference (REST is REF, the "//" dropped).
// - "oci:PATH[:REF]", "oci-archive:PATH[:REF]", "docker-archive:PATH[:REF]": PATH ends at the
//   first ':' as containers/image reads it; REF is what follows (may be empty). "dir:PATH": all
//   of it is the path.
// - "containers-storage:", "docker-daemon:", "tarball:" and the transports schicht has no use
//   for ("ostree:", "sif:", "atomic:") are recognised, so a caller can refuse them by name
//   instead of reading them as a registry reference.
// Anything else ("busybox", "localhost:5000/a") names no transport: a plain docker reference.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace schicht::transport {

enum class Transport {
  kDocker,
  kDockerArchive,
  kOci,
  kOciArchive,
  kDir,
  kContainersStorage,
  kDockerDaemon,
  kTarball,
  kOther,  // ostree, sif, atomic: known to containers/image, not to schicht
};

struct TransportRef {
  Transport transport = Transport::kDocker;
  std::string name;  // the transport's name as typed: "oci-archive"
  std::string rest;  // everything after "NAME:" ("docker://" drops the "//")
  // File and directory transports: the path, and what follows it after a ':' (ref_given says
  // whether a ':' followed at all).
  std::string path;
  std::string ref;
  bool ref_given = false;

  // Whether the image is read from a local file or directory (oci, oci-archive,
  // docker-archive, dir).
  bool is_local() const;
  // "oci-archive:/a.tar:" as podman prints a source in messages.
  std::string str() const;
};

// nullopt when `text` names no transport. kInvalidInput when a file transport has no path
// ("oci-archive:").
std::optional<TransportRef> parse_transport_name(std::string_view text);

// A file transport named by `transport` ("oci-archive") for `path`, as load detects it.
TransportRef local_transport_ref(std::string_view transport, const std::string& path);

}  // namespace schicht::transport
