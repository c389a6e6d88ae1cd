// Image references ("host:5000/ns/repo:tag@sha256:...") parsed and normalized the way podman 4.3
// does: the Docker reference grammar of containers/image (a fork of distribution/reference), the
// Docker Hub normalization of ParseNormalizedNamed / ParseDockerRef, and libimage's local-name
// rule for `podman tag`, `import` and `load`.
//
// Where today's distribution/reference differs from the fork podman 4.3 ships, podman wins:
// bracketed IPv6 hosts are rejected, the 255-character limit counts domain and path together,
// and an uppercase first component ("Foo/bar") is not taken for a domain.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/digest.h"

namespace schicht {

struct Reference {
  // The registry host with an optional ":port". Empty only for results of parse_unnormalized.
  std::string domain;
  // The repository inside the registry, e.g. "library/busybox".
  std::string path;
  // Empty when the reference has no tag.
  std::string tag;
  std::optional<Digest> digest;

  // ParseNormalizedNamed: Docker Hub normalization. "busybox" becomes docker.io/library/busybox,
  // "index.docker.io/x" becomes docker.io/library/x. The first component is a domain when it
  // contains '.' or ':' or is "localhost". Keeps tag and digest as written, adds no default tag.
  static Reference parse(std::string_view text);
  static std::optional<Reference> try_parse(std::string_view text);

  // ParseDockerRef: parse(), then a reference with both tag and digest loses its tag, and one
  // with neither gets "latest".
  static Reference parse_docker_ref(std::string_view text);

  // libimage's NormalizeName, used for names given to `podman tag`, `import` and `load`: a name
  // without a domain lands under localhost/ ("foo" -> localhost/foo:latest, "foo/bar" ->
  // localhost/foo/bar:latest) while "docker.io/foo" still becomes docker.io/library/foo:latest.
  // A tagged and digested name loses its tag; an untagged, undigested one gets "latest".
  // Errors of the first, unnormalized parse carry podman's `normalizing name "TEXT": ` prefix.
  static Reference parse_local(std::string_view text);

  // distribution's plain Parse with no normalization at all. `domain` is whatever the grammar
  // accepts as a host before the first '/', even when it is no real domain: "foo/bar" gives
  // domain "foo", path "bar"; "foo" gives an empty domain. Podman uses it to tell short names.
  static Reference parse_unnormalized(std::string_view text);

  // domain/path (just path when domain is empty).
  std::string name() const;
  // name[:tag][@digest]
  std::string str() const;
  // Docker's short form: docker.io/ and a single-level library/ dropped ("busybox:latest").
  std::string familiar() const;
  // This reference with tag "latest" when it has neither tag nor digest.
  Reference with_default_tag() const;

  bool operator==(const Reference&) const = default;
};

// True when `text` is a valid reference whose first component names a registry, i.e. it is not
// a podman "short name": as libimage decides it, on the unnormalized parse, the domain contains
// '.' or ':' or is "localhost". False for invalid input.
bool has_explicit_domain(std::string_view text);

// The tag grammar [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
bool is_valid_tag(std::string_view tag);

}  // namespace schicht
