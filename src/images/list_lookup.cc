#include "images/list_lookup.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/reference.h"

namespace schicht::images {

std::string list_name(std::string_view text) {
  return with_context(fmt::format("normalizing name {:?}", text),
                      [&] { return Reference::parse_local(text).with_default_tag().str(); });
}

std::optional<store::ListInfo> find_list(store::Store& store, std::string_view text) {
  std::string_view bare = text;
  if (bare.starts_with("containers-storage:")) bare.remove_prefix(19);
  if (std::optional<Reference> ref = Reference::try_parse(bare)) {
    if (auto found = store::list_by_name(store, ref->with_default_tag().str())) return found;
  }
  if (auto found = store::list_by_name(store, list_name(bare))) return found;
  std::string tagged(bare);
  if (tagged.find(':') == std::string::npos) tagged += ":latest";
  for (store::ListInfo& list : store::lists(store)) {
    if (list.name.ends_with("/" + tagged)) return list;
  }
  return std::nullopt;
}

store::ListInfo resolve_list(store::Store& store, std::string_view text) {
  auto found = find_list(store, text);
  if (!found) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", text));
  return *found;
}

}  // namespace schicht::images
