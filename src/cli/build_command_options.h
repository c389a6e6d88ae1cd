// The options of `build`: the build as typed (builder/build_request.h), and what the command
// itself does with them: the image ID file, the manifest list the image joins, and the registry
// flags for pulling FROM images.
#pragma once

#include <string>

#include "builder/build_request.h"

namespace schicht::cli {

struct BuildCommandOptions {
  builder::BuildRequest request;
  std::string iidfile;
  std::string manifest;
  bool tls_verify = true;
  std::string authfile;
  std::string cert_dir;
  std::string signature_policy;
};

}  // namespace schicht::cli
