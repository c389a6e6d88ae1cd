#include "copy/local_transports.h"

#include <fmt/format.h>

#include "copy/store_input.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"

namespace schicht::copy {

std::optional<std::vector<Digest>> pull_local_by_name(store::Store& store, const std::string& text,
                                                      const trust::Policy* policy, size_t jobs,
                                                      const LoadReferrers& referrers, bool unpack) {
  auto source = transport::parse_transport_name(text);
  if (!source || !source->is_local()) return std::nullopt;
  std::vector<Digest> ids;
  // Quiet, as before the engine read these transports: stdout has the IDs only.
  TransferOptions transfer;
  transfer.jobs = jobs;
  for (const auto& image : pull_local(store, *source, policy, transfer, referrers, unpack)) {
    ids.push_back(image.id);
  }
  return ids;
}

}  // namespace schicht::copy
