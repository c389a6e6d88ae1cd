// A build as the command line asks for it, settled into BuildOptions: the context directory and
// its Containerfile found, names normalized, KEY=VALUE lists split, the platforms, the image
// format, the pull policy and the timestamp checked, each refused in podman's words.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "builder/builder.h"
#include "core/platform.h"

namespace schicht::builder {

// The flags of `build`, as typed.
struct BuildRequest {
  std::string context;  // the CONTEXT argument; empty: "."
  std::vector<std::string> files, tags, build_args, labels, annotations;
  std::string target;
  std::string image_format = "oci";  // --format: oci or docker (see default_image_format)
  std::string platform, os, arch, variant;
  bool no_cache = false, layers = true, quiet = false, squash = false, identity_label = true;
  std::string pull = "missing";
  std::string timestamp;  // empty: SOURCE_DATE_EPOCH, if set
};

// --format's default: $BUILDAH_FORMAT when set, else oci.
std::string default_image_format();

// What to build: options (without platform, pull_image, out, warn) and one entry per image
// to build (nullopt: this machine's platform).
struct BuildInputs {
  BuildOptions options;
  std::vector<std::optional<Platform>> platforms;
};

// The context, Containerfile, names, build args, labels, annotations, format and platforms
// (in that order, the first wrong one fails: kNotFound for a missing context or Containerfile,
// kInvalidInput or kUnsupported otherwise). "--build-arg NAME" takes NAME's value from the
// environment, as podman does.
BuildInputs settle_build_inputs(const BuildRequest& request);

// The cache, layer, quiet, squash and identity-label switches, the pull policy and the
// timestamp (--timestamp, else SOURCE_DATE_EPOCH) into `options`; kInvalidInput for a pull
// policy or timestamp podman refuses.
void settle_build_policies(const BuildRequest& request, BuildOptions& options);

}  // namespace schicht::builder
