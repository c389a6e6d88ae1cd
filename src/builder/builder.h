// `build`: an image from a Containerfile, as `podman build --isolation chroot` makes it.
//
// Each stage starts from its FROM (an image in the store, pulled per the pull policy,
// `scratch`, or an earlier stage) and runs its instructions in order. Every instruction
// commits an intermediate image state: metadata instructions change the config and add a
// history entry with empty_layer; RUN, COPY and ADD add a layer, the difference of the root
// filesystem before and after the step (tree_diff.h), gzip-compressed. With layers on and the
// cache allowed, each step's result is looked up first by its key (parent image, instruction
// after substitution, build args, the content of COPY/ADD sources) and recorded afterwards
// (store/build_cache.h): a rebuild with nothing changed runs no step and gives the same image.
//
// Root filesystems are only materialized when a step needs one (a cache miss of RUN, COPY or
// ADD), in a private directory under <root>/tmp that is removed however the build ends. Only
// the final image of the target stage gets names; a failed build names nothing. Progress lines
// go to `out` in podman's words. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/fs.h"
#include "core/platform.h"
#include "store/store.h"

namespace schicht::builder {

enum class PullPolicy { kMissing, kAlways, kNever };

struct BuildOptions {
  fs::path context_dir;
  fs::path containerfile;          // the file to read
  std::string containerfile_name;  // how errors name it
  std::vector<std::string> tags;   // normalized names for the final image
  std::string commit_name;         // the first -t as typed, for the COMMIT line
  std::map<std::string, std::string> build_args;
  std::string target;  // stage name; empty: the last stage
  bool use_cache = true;
  bool layers = true;  // false: no cache lookups or entries
  bool quiet = false;
  bool squash = false;
  // --format docker: HEALTHCHECK, ONBUILD and SHELL are kept in the config (OCI has no place
  // for them: they are dropped with a warning, as buildah does).
  bool docker_format = false;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  // --identity-label: every config the build commits carries kIdentityLabel, as podman's
  // builds label theirs with buildah's version.
  bool identity_label = true;
  PullPolicy pull = PullPolicy::kMissing;
  // --platform, --os, --arch, --variant: the platform of the image built. A FROM image of
  // another platform is not used (it is pulled for this one); scratch stages are of it; RUN
  // steps of a foreign platform need an emulator (emulation.h). nullopt: this machine's.
  std::optional<Platform> platform;
  // The storage driver is overlay and can be mounted as root with the kernel's overlayfs:
  // RUN, COPY and ADD work on an overlay of the stage's snapshots (overlay_root.h) instead of a
  // flattened copy, and give the same layers.
  bool overlay = false;
  // Unix seconds for every created time and file time in new layers (--timestamp,
  // SOURCE_DATE_EPOCH): rebuilds give bit-identical images.
  std::optional<int64_t> timestamp;
  // Pulls an image by the name as written, for `platform` when one is set, and returns its ID
  // (the CLI brings registries, policy and credentials). Null: pulling is not possible.
  std::function<Digest(const std::string&)> pull_image;
  // Progress (stdout) and warnings (stderr).
  std::function<void(const std::string&)> out;
  std::function<void(const std::string&)> warn;
};

// The label podman's builds set on every image they commit, and its value: the version of
// buildah (1.28.2, what podman 4.3 vendors) whose build behaviour schicht reproduces.
inline constexpr std::string_view kIdentityLabel = "io.buildah.version";
inline constexpr std::string_view kIdentityLabelValue = "1.28.2";

// A RUN step's command failed: the build's exit code is the command's (as podman's is).
class StepFailed : public std::runtime_error {
 public:
  StepFailed(const std::string& message, int status)
      : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

Digest build_image(store::Store& store, const BuildOptions& options);

}  // namespace schicht::builder
