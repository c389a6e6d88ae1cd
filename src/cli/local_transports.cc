#include "cli/local_transports.h"

#include <fmt/format.h>

#include "copy/store_input.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/reference.h"
#include "transport/archive_save.h"

namespace schicht::cli {

std::optional<std::vector<Digest>> pull_local(store::Store& store, const std::string& text,
                                              const trust::Policy* policy, size_t jobs) {
  auto source = transport::parse_transport_name(text);
  if (!source || !source->is_local()) return std::nullopt;
  std::vector<Digest> ids;
  // Quiet, as before the engine read these transports: stdout has the IDs only.
  copy::TransferOptions transfer;
  transfer.jobs = jobs;
  for (const auto& image : copy::pull_local(store, *source, policy, transfer)) {
    ids.push_back(image.id);
  }
  return ids;
}

bool push_local(store::Store& store, const Digest& image, const std::vector<std::string>& names,
                const std::string& destination, bool compress) {
  auto local = transport::parse_transport_name(destination);
  if (!local || !local->is_local()) return false;
  transport::SaveItem item{image, names};
  // The destination's own name, as podman writes it: oci: and oci-archive: take it as the
  // ref.name annotation as written, docker-archive: as a normalized reference listed first.
  if (!local->ref.empty() && (local->transport == transport::Transport::kOci ||
                              local->transport == transport::Transport::kOciArchive)) {
    item.names = {local->ref};
  } else if (!local->ref.empty() && local->transport == transport::Transport::kDockerArchive) {
    std::string name = with_context(fmt::format("parsing {:?}", destination), [&] {
      return Reference::parse(local->ref).with_default_tag().str();
    });
    std::erase(item.names, name);
    item.names.insert(item.names.begin(), name);
  }
  if (local->transport == transport::Transport::kOci) {
    transport::save_directory(store, transport::SaveFormat::kOciDir, item, local->path);
    return true;
  }
  if (local->transport == transport::Transport::kDir) {
    transport::save_directory(store, transport::SaveFormat::kDockerDir, item, local->path,
                              compress);
    return true;
  }
  auto format = local->transport == transport::Transport::kOciArchive
                    ? transport::SaveFormat::kOciArchive
                    : transport::SaveFormat::kDockerArchive;
  AtomicFile file(local->path);
  FdWriter writer(file.fd(), local->path);
  transport::save_archive(store, format, {item}, writer);
  file.commit();
  return true;
}

}  // namespace schicht::cli
