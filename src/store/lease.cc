#include <unistd.h>

#include <array>

#include <fmt/format.h>

#include "core/error.h"
#include "core/fs.h"
#include "store/db.h"
#include "store/store.h"

namespace schicht::store {
namespace {

// A lease outlives a crashed owner for at most this long even when pid and boot id match a
// recycled pid.
constexpr int64_t kLeaseLifetimeNs = int64_t{24} * 3600 * 1'000'000'000;

}  // namespace

std::string boot_id() {
  static const std::string id = [] {
    std::string text;
    ignore_error("no boot id on this system: leases then expire by time alone",
                 [&] { text = read_file("/proc/sys/kernel/random/boot_id"); });
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }();
  return id;
}

std::string lease_owner() {
  static const std::string owner = [] {
    std::array<char, 64> ns{};
    ssize_t n = ::readlink("/proc/self/ns/pid", ns.data(), ns.size() - 1);
    // Without /proc the namespace is unknown: the pid check then stands alone, as it did.
    return n > 0 ? boot_id() + " " + std::string(ns.data(), static_cast<size_t>(n)) : boot_id();
  }();
  return owner;
}

std::unique_ptr<Lease> Store::begin_lease() {
  db_->require_writable();  // every write to the store starts here or with a transaction
  Statement st(*db_, "INSERT INTO leases(pid, boot_id, expires) VALUES (?, ?, ?)");
  st.bind(1, static_cast<int64_t>(::getpid()))
      .bind(2, lease_owner())
      .bind(3, now_ns() + kLeaseLifetimeNs)
      .run();
  return std::make_unique<Lease>(*this, db_->last_insert_id());
}

bool Lease::protect(const Digest& digest) {
  Statement(store_.db(), "INSERT OR IGNORE INTO lease_blobs(lease_id, digest) VALUES (?, ?)")
      .bind(1, id_)
      .bind(2, digest.str())
      .run();
  // A deleter holds gc.lock exclusively between deciding a blob is unreferenced and unlinking
  // it; checking under the shared lock means we never rely on a blob that is about to vanish.
  FileLock lock(store_.root() / "gc.lock", FileLock::Mode::kShared);
  return store_.blobs().exists(digest);
}

void Lease::release(const Digest& digest) {
  Statement(store_.db(), "DELETE FROM lease_blobs WHERE lease_id = ? AND digest = ?")
      .bind(1, id_)
      .bind(2, digest.str())
      .run();
}

Lease::~Lease() {
  ignore_error("a lease row left behind is dead once this process exits; check removes it", [&] {
    Statement(store_.db(), "DELETE FROM leases WHERE id = ?").bind(1, id_).run();
  });
}

}  // namespace schicht::store
