#include "cli/policy.h"

#include <cstdio>

#include <fmt/format.h>

namespace schicht::cli {

std::shared_ptr<const trust::Policy> command_policy(const Context& ctx,
                                                    const std::string& signature_policy) {
  if (ctx.options().insecure_policy) {
    fmt::print(stderr,
               "WARNING: --insecure-policy: the signature policy is not checked; any image is "
               "accepted\n");
    return nullptr;
  }
  std::string path =
      trust::policy_path(signature_policy.empty() ? ctx.options().policy : signature_policy);
  return std::make_shared<const trust::Policy>(trust::load_policy(path));
}

}  // namespace schicht::cli
