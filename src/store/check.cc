#include "store/check.h"

#include <unistd.h>

#include <map>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "store/db.h"

namespace schicht::store {
namespace {

// Hashes a stored blob; nullopt when it cannot be read.
std::optional<Digest> hash_blob(const BlobStore& blobs, const Digest& digest) {
  try {
    auto fd = blobs.open(digest);
    FdReader reader(fd.get(), blobs.path_of(digest).string());
    HashingReader hashing(reader);
    std::vector<char> buffer(kIoBufferSize);
    while (hashing.read(buffer.data(), buffer.size()) != 0) {
    }
    return hashing.finish();
  } catch (const Error&) {
    return std::nullopt;  // reported by the caller as a damaged blob
  }
}

// Image ID → names (or the short ID), for messages.
std::string image_label(Store& store, const std::string& id) {
  auto image = store.image(Digest::parse(id));
  if (image && !image->names.empty()) return fmt::format("{} ({})", image->names.front(), id);
  return id;
}

}  // namespace

CheckReport check_store(Store& store, const CheckOptions& options) {
  CheckReport report;
  const BlobStore& blobs = store.blobs();

  // 1. Every blob a row records must be there, with its size and digest.
  std::map<std::string, std::string> damaged_blobs;  // digest → what is wrong
  std::set<std::string> recorded;
  {
    Statement st(store.db(), "SELECT digest, size FROM blobs");
    while (st.step()) {
      Digest digest = Digest::parse(st.text(0));
      recorded.insert(digest.str());
      ++report.blobs_checked;
      auto size = blobs.size_of(digest);
      if (!size) {
        damaged_blobs[digest.str()] = "missing";
      } else if (*size != static_cast<uint64_t>(st.integer(1))) {
        damaged_blobs[digest.str()] = fmt::format("{} bytes instead of {}", *size, st.integer(1));
      } else if (!options.quick && hash_blob(blobs, digest) != digest) {
        damaged_blobs[digest.str()] = "content does not match its digest";
      }
    }
  }
  // The images those blobs belong to.
  std::map<std::string, std::vector<std::string>> damaged_images;
  {
    Statement st(store.db(),
                 "SELECT id, id FROM images UNION "
                 "SELECT image_id, digest FROM image_manifests UNION "
                 "SELECT m.image_id, l.layer_digest FROM image_manifests m "
                 "JOIN manifest_layers l ON l.manifest_digest = m.digest");
    std::set<std::string> images;
    while (st.step()) {
      images.insert(st.text(0));
      std::string blob = st.text(1);
      if (auto it = damaged_blobs.find(blob); it != damaged_blobs.end()) {
        damaged_images[st.text(0)].push_back(fmt::format("blob {}: {}", blob, it->second));
      } else if (recorded.count(blob) == 0) {
        damaged_images[st.text(0)].push_back(fmt::format("blob {}: not recorded", blob));
      }
    }
    report.images_checked = images.size();
  }
  for (const auto& [id, why] : damaged_images) {
    for (const auto& w : why) {
      report.problems.push_back(fmt::format("damaged image {}: {}", image_label(store, id), w));
    }
  }

  // 2. Blobs on disk or in rows that no image references and no live lease protects.
  std::vector<Digest> orphans;
  {
    std::set<std::string> referenced;
    Statement st(store.db(),
                 "SELECT id FROM images UNION SELECT digest FROM image_manifests UNION "
                 "SELECT layer_digest FROM manifest_layers UNION SELECT digest FROM lists UNION "
                 "SELECT digest FROM build_cache_blobs");
    while (st.step()) referenced.insert(st.text(0));
    std::set<std::string> leased = live_leased_blobs(store.db());
    std::set<std::string> candidates = recorded;
    blobs.walk([&](const Digest& d, uint64_t) { candidates.insert(d.str()); });
    for (const auto& d : candidates) {
      if (referenced.count(d) != 0 || leased.count(d) != 0) continue;
      orphans.push_back(Digest::parse(d));
      report.problems.push_back(fmt::format("unreferenced blob {}", d));
    }
  }

  // 3. Ingest files nobody writes, and leases whose owner is gone.
  std::vector<fs::path> stale = blobs.stale_ingests();
  for (const auto& p : stale)
    report.problems.push_back(fmt::format("stale ingest file {}", p.string()));
  std::vector<int64_t> dead_leases;
  {
    int64_t now = now_ns();
    Statement st(store.db(), "SELECT id, pid, boot_id, expires FROM leases");
    while (st.step()) {
      if (!lease_is_live(st.integer(1), st.text(2), st.integer(3), now)) {
        dead_leases.push_back(st.integer(0));
        report.problems.push_back(
            fmt::format("dead lease {} of process {}", st.integer(0), st.integer(1)));
      }
    }
  }

  report.unrepaired = report.problems.size();
  if (!options.repair) return report;

  for (const auto& id : dead_leases) {
    Statement(store.db(), "DELETE FROM leases WHERE id = ?").bind(1, id).run();
    report.repairs.push_back(fmt::format("removed dead lease {}", id));
    --report.unrepaired;
  }
  for (const auto& p : stale) {
    if (::unlink(p.c_str()) == 0 || errno == ENOENT) {
      report.repairs.push_back(fmt::format("removed stale ingest file {}", p.string()));
      --report.unrepaired;
    }
  }
  if (!orphans.empty()) {
    RemovalReport removed = store.collect_garbage(orphans);
    for (const auto& d : removed.deleted_blobs) {
      report.repairs.push_back(fmt::format("removed unreferenced blob {}", d.str()));
      --report.unrepaired;
    }
  }
  for (const auto& [id, why] : damaged_images) {
    if (!options.force) continue;
    std::string label = image_label(store, id);
    store.remove_image(Digest::parse(id));
    report.repairs.push_back(fmt::format("removed damaged image {}", label));
    report.unrepaired -= why.size();
  }
  // Blobs of removed damaged images that were themselves the damage (missing or corrupt) may
  // still have a row or a corrupt file: remove what is now unreferenced.
  if (options.force && !damaged_blobs.empty()) {
    std::vector<Digest> bad;
    for (const auto& [d, why] : damaged_blobs) bad.push_back(Digest::parse(d));
    store.collect_garbage(bad);
  }
  return report;
}

}  // namespace schicht::store
