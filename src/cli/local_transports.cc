#include "cli/local_transports.h"

#include <fmt/format.h>

#include "copy/store_input.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"

namespace schicht::cli {

std::optional<std::vector<Digest>> pull_local(store::Store& store, const std::string& text,
                                              const trust::Policy* policy, size_t jobs,
                                              const copy::LoadReferrers& referrers, bool unpack) {
  auto source = transport::parse_transport_name(text);
  if (!source || !source->is_local()) return std::nullopt;
  std::vector<Digest> ids;
  // Quiet, as before the engine read these transports: stdout has the IDs only.
  copy::TransferOptions transfer;
  transfer.jobs = jobs;
  for (const auto& image : copy::pull_local(store, *source, policy, transfer, referrers, unpack)) {
    ids.push_back(image.id);
  }
  return ids;
}

}  // namespace schicht::cli
