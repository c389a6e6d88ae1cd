#include "cli/local_transports.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"
#include "transport/local_pull.h"

namespace schicht::cli {

std::optional<std::vector<Digest>> pull_local(store::Store& store, const std::string& text,
                                              const trust::Policy* policy) {
  auto source = transport::parse_transport_name(text);
  if (!source || !source->is_local()) return std::nullopt;
  std::vector<Digest> ids;
  for (const auto& image : transport::pull_local(store, *source, policy)) ids.push_back(image.id);
  return ids;
}

}  // namespace schicht::cli
