#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "core/error.h"
#include "store/db.h"
#include "store/store.h"

namespace schicht::store {
namespace {

constexpr std::string_view kColumns =
    "id, name, image_id, image_name, command, created, chain_id, size";

// Written by schicht itself as a JSON array of strings: anything else is a damaged database.
std::vector<std::string> read_command(const std::string& id, const std::string& text) {
  try {
    return nlohmann::json::parse(text).get<std::vector<std::string>>();
  } catch (const nlohmann::json::exception&) {
    fail(ErrorKind::kIntegrity, fmt::format("container {}: its command is damaged", id));
  }
}

ContainerInfo read_row(const Statement& st) {
  ContainerInfo c{.id = st.text(0),
                  .name = st.text(1),
                  .image_id = Digest::parse(st.text(2)),
                  .image_name = st.text(3),
                  .command = read_command(st.text(0), st.text(4)),
                  .created = st.integer(5),
                  .chain_id = Digest::parse(st.text(6)),
                  .size = static_cast<uint64_t>(st.integer(7))};
  return c;
}

}  // namespace

void Store::add_container(const ContainerInfo& c) {
  Transaction txn(*db_);
  Statement taken(*db_, "SELECT id FROM containers WHERE name = ?");
  taken.bind(1, c.name);
  if (taken.step()) {
    fail(ErrorKind::kConflict,
         fmt::format("creating container storage: the container name {:?} is already in use by "
                     "{}. You have to remove that container to be able to reuse that name: that "
                     "name is already in use",
                     c.name, taken.text(0)));
  }
  Statement image(*db_, "SELECT 1 FROM images WHERE id = ?");
  image.bind(1, c.image_id.str());
  if (!image.step()) {
    fail(ErrorKind::kNotFound, fmt::format("{}: image not known", c.image_id.str()));
  }
  Statement(*db_,
            fmt::format("INSERT INTO containers({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", kColumns))
      .bind(1, c.id)
      .bind(2, c.name)
      .bind(3, c.image_id.str())
      .bind(4, c.image_name)
      .bind(5, nlohmann::json(c.command).dump())
      .bind(6, c.created)
      .bind(7, c.chain_id.str())
      .bind(8, static_cast<int64_t>(c.size))
      .run();
  Statement(*db_, "UPDATE images SET last_used = ? WHERE id = ?")
      .bind(1, now_ns())
      .bind(2, c.image_id.str())
      .run();
  txn.commit();
}

std::vector<ContainerInfo> Store::containers() {
  Statement st(*db_, fmt::format("SELECT {} FROM containers ORDER BY created DESC", kColumns));
  std::vector<ContainerInfo> out;
  while (st.step()) out.push_back(read_row(st));
  return out;
}

std::optional<ContainerInfo> Store::find_container(std::string_view id_or_name) {
  Statement exact(*db_,
                  fmt::format("SELECT {} FROM containers WHERE id = ?1 OR name = ?1", kColumns));
  exact.bind(1, id_or_name);
  if (exact.step()) return read_row(exact);
  if (id_or_name.empty()) return std::nullopt;
  Statement prefix(
      *db_, fmt::format("SELECT {} FROM containers WHERE id >= ?1 AND id < ?1 || 'g'", kColumns));
  prefix.bind(1, id_or_name);
  std::optional<ContainerInfo> found;
  while (prefix.step()) {
    if (found) {
      fail(ErrorKind::kConflict,
           fmt::format("more than one result for container {:?}", std::string(id_or_name)));
    }
    found = read_row(prefix);
  }
  return found;
}

void Store::remove_container(const std::string& id) {
  Statement(*db_, "DELETE FROM containers WHERE id = ?").bind(1, id).run();
}

}  // namespace schicht::store
