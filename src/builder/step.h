// Internals shared by the build steps (not a public interface of the module).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "builder/builder.h"
#include "builder/containerfile.h"
#include "builder/words.h"
#include "oci/config.h"
#include "store/store.h"

namespace schicht::builder {

// An image as a build step sees it: its config, its layers, and the ID it was committed under.
struct ImageState {
  ImageConfig config;
  std::vector<store::LayerInfo> layers;
  std::optional<Digest> id;  // nullopt: scratch, nothing committed yet
};

// What one stage knows while its instructions run.
struct StageContext {
  const Containerfile* file = nullptr;
  const Stage* stage = nullptr;
  ImageState state;
  std::string base_name;  // the FROM image as resolved ("" for scratch and stages)
  std::optional<Digest> base_manifest;
  // ARGs declared in this stage, in order, with their values (unset ones left out).
  std::vector<std::pair<std::string, std::string>> args;
  std::vector<std::string> shell = {"/bin/sh", "-c"};
  bool cmd_set = false;         // CMD given in this stage: ENTRYPOINT keeps it
  std::string history_comment;  // "FROM <parent>" of the next history entry
  // The stage's last WORKDIR: a directory that cannot be made fails that step, as in podman.
  std::optional<Instruction> workdir_step;

  // ARGs, then ENV over them: what $VAR means in an instruction.
  Variables variables() const;
};

// Applies a metadata instruction (ENV, LABEL, ...) to the stage's config. Returns the history
// text after "/bin/sh -c #(nop) ". `global_args` are the values of ARGs before the first FROM.
std::string apply_metadata(StageContext& ctx, const Instruction& ins, const BuildOptions& options,
                           const std::map<std::string, std::string>& global_args);

}  // namespace schicht::builder
