#include "images/rollback.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/reference.h"

namespace schicht::images {

std::string stored_name(std::string_view text) {
  return with_context(fmt::format("normalizing name {:?}", text),
                      [&] { return Reference::parse_local(text).with_default_tag().str(); });
}

Digest rollback_name(store::Store& store, const std::string& name) {
  auto log = store.tag_log({name});
  if (log.empty()) fail(ErrorKind::kNotFound, fmt::format("{}: the name has no history", name));
  const store::TagLogEntry& last = log.front();
  if (!last.from) {
    fail(ErrorKind::kNotFound,
         fmt::format("{}: nothing to roll back to: it named no image before its last {} ", name,
                     last.action));
  }
  if (!store.image(*last.from)) {
    fail(ErrorKind::kNotFound,
         fmt::format("{}: the image it named before ({}) is no longer in the store", name,
                     last.from->short_hex()));
  }
  store.tag(*last.from, name, "rollback");
  return *last.from;
}

}  // namespace schicht::images
