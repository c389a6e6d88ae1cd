// The policy.json a command enforces: its --signature-policy, else the global --policy, else
// the standard lookup (trust/policy.h). --insecure-policy skips it with a warning on stderr.
#pragma once

#include <memory>
#include <string>

#include "cli/context.h"
#include "trust/policy.h"

namespace schicht::cli {

// Null when --insecure-policy was given; throws when the file is missing or invalid.
std::shared_ptr<const trust::Policy> command_policy(const Context& ctx,
                                                    const std::string& signature_policy);

}  // namespace schicht::cli
