// tag, untag, rmi and image exists: names move, digests stay; an image goes only with its
// last name (or when asked by ID with -f).
#include <algorithm>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/containers.h"
#include "cli/events.h"
#include "cli/manifest_lists.h"
#include "core/error.h"
#include "core/reference.h"
#include "store/lists.h"
#include "store/lookup.h"

namespace schicht::cli {
namespace {

// The name podman stores for what the user typed after `tag`: short names go to localhost/.
std::string local_name(const std::string& text) {
  std::string name = with_context(fmt::format("normalizing name {:?}", text), [&] {
    return Reference::parse_local(text).with_default_tag().str();
  });
  if (Reference::parse(name).digest) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: tag by digest not supported", text));
  }
  return name;
}

// Whether `text` can be an image ID or a prefix of one.
bool is_id_prefix(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

// The stored name of a reference a pull by digest recorded ("repo@sha256:..."; a tag before
// the digest goes, as libimage's NormalizeName drops it); other names as local_name.
std::string digested_name(const std::string& text) {
  auto ref = Reference::try_parse(text);
  if (!ref || !ref->digest) return local_name(text);
  return with_context(fmt::format("normalizing name {:?}", text),
                      [&] { return Reference::parse_local(text).str(); });
}

// podman exits 1 when every failure was an unknown image, 2 when one was an image in use,
// 125 otherwise; several failures are listed under "N errors occurred:".
int report_errors(const std::vector<Error>& errors) {
  if (errors.empty()) return 0;
  if (errors.size() == 1) {
    fmt::print(stderr, "Error: {}\n", errors[0].what());
  } else {
    fmt::print(stderr, "Error: {} errors occurred:\n", errors.size());
    for (const auto& e : errors) fmt::print(stderr, "\t* {}\n", e.what());
  }
  bool all_unknown = std::all_of(errors.begin(), errors.end(),
                                 [](const Error& e) { return e.kind() == ErrorKind::kNotFound; });
  bool in_use = std::any_of(errors.begin(), errors.end(),
                            [](const Error& e) { return e.kind() == ErrorKind::kInUse; });
  return all_unknown ? 1 : in_use ? 2 : 125;
}

// `referenced_by`: what the user named the image with, for its remove event.
void print_removal(store::Store& store, const store::RemovalReport& report, const Digest& id,
                   std::string_view referenced_by = "") {
  record_removal_events(store, report, id, referenced_by);
  for (const auto& name : report.untagged) fmt::print("Untagged: {}\n", name);
  fmt::print("Deleted: {}\n", id.hex());
}

}  // namespace

int cmd_tag(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool help = false;
  auto positional = parse_command_flags(ctx, flags, args,
                                        "schicht tag IMAGE TARGET_NAME [TARGET_NAME...]", &help);
  if (help) return 0;
  if (positional.size() < 2) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("requires at least 2 arg(s), only received {}", positional.size()));
  }
  store::Store& store = ctx.store();
  Digest id = store::resolve_image(store, positional[0]);
  std::vector<std::string> names;
  for (size_t i = 1; i < positional.size(); ++i) names.push_back(local_name(positional[i]));
  for (size_t i = 0; i < names.size(); ++i) {
    store.tag(id, names[i], "tag");
    record_image_event(store, "tag", &id, positional[i + 1]);  // podman: the name as typed
  }
  store.touch(id);
  return 0;
}

int cmd_untag(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool help = false;
  auto positional = parse_command_flags(ctx, flags, args, "schicht untag IMAGE [IMAGE...]", &help);
  if (help) return 0;
  if (positional.empty()) {
    fail(ErrorKind::kInvalidInput, "requires at least 1 arg(s), only received 0");
  }
  store::Store& store = ctx.store();
  Digest id = store::resolve_image(store, positional[0]);
  std::vector<std::string> names;
  if (positional.size() == 1) {
    names = store.image(id)->names;
  } else {
    auto image = store.image(id);
    for (size_t i = 1; i < positional.size(); ++i) {
      // libimage's NormalizeName: a tagged and digested name loses its tag, so
      // `untag IMG repo:tag@sha256:...` removes the name a pull by that digest recorded.
      Reference wanted = with_context(fmt::format("normalizing name {:?}", positional[i]), [&] {
        return Reference::parse_local(positional[i]).with_default_tag();
      });
      std::optional<std::string> name;
      if (wanted.digest) {
        if (std::find(image->names.begin(), image->names.end(), wanted.str()) !=
            image->names.end()) {
          name = wanted.str();
        }
      } else {
        name = store::find_name(store, id, positional[i]);
      }
      if (!name) fail(ErrorKind::kNotFound, fmt::format("{}: tag not known", wanted.str()));
      names.push_back(*name);
    }
  }
  for (const auto& name : names) {
    store.untag(name, "untag");
    record_image_event(store, "untag", &id, name);
  }
  return 0;
}

int cmd_rmi(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool all = false, force = false, ignore = false, no_prune = false;
  flags.add_bool("all", 'a', &all, "Remove all images");
  flags.add_bool("force", 'f', &force, "Force Removal of the image");
  flags.add_bool("ignore", 'i', &ignore, "Ignore errors if a specified image does not exist");
  flags.add_bool("no-prune", 0, &no_prune, "Do not remove dangling images");
  bool help = false;
  auto positional =
      parse_command_flags(ctx, flags, args, "schicht rmi [options] IMAGE [IMAGE...]", &help);
  if (help) return 0;
  if (positional.empty() && !all) {
    fail(ErrorKind::kInvalidInput, "image name or ID must be specified");
  }
  if (!positional.empty() && all) {
    fail(ErrorKind::kInvalidInput,
         "when using the --all switch, you may not pass any images names or IDs");
  }
  store::Store& store = ctx.store();
  std::vector<Error> errors;
  if (all) {
    for (const auto& image : store.images()) {
      try {
        if (force) remove_containers_of(store, image.id);
        unmount_image(store, image.id);
        print_removal(store, store.remove_image(image.id), image.id);
      } catch (const Error& e) {
        errors.push_back(e);
      }
    }
    remove_unused_snapshots(store);
    return report_errors(errors);
  }
  for (const auto& text : positional) {
    try {
      // A manifest list is an image to podman's rmi: its name goes, and the list with its last.
      if (Reference::try_parse(text) && !store::find_image(store, text)) {
        if (auto list = find_list(store, text)) {
          store::remove_list(store, list->name);
          fmt::print("Untagged: {}\n", list->name);
          bool named = false;
          for (const auto& other : store::lists(store)) named |= other.digest == list->digest;
          if (!named) fmt::print("Deleted: {}\n", list->digest.hex());
          continue;
        }
      }
      Digest id = store::resolve_image(store, text);
      auto image = store.image(id);
      bool by_id = Digest::is_sha256_hex(text) || text.rfind("sha256:", 0) == 0 ||
                   !store.images_with_id_prefix(text).empty();
      if (by_id && image->names.size() > 1 && !force) {
        std::string names;
        for (const auto& n : image->names) names += (names.empty() ? "" : " ") + n;
        fail(ErrorKind::kConflict,
             fmt::format("unable to delete image {:?} by ID with more than one tag ([{}]): please "
                         "force removal",
                         id.hex(), names));
      }
      if (!by_id && image->names.size() > 1) {
        // One of several names: only that name goes.
        std::string name = store::find_name(store, id, text).value_or(digested_name(text));
        store.untag(name, "rmi");
        // podman records the image's remove event even when only a name went.
        record_image_event(store, "untag", &id, name);
        record_image_event(store, "remove", &id, name);
        fmt::print("Untagged: {}\n", name);
        continue;
      }
      if (force) remove_containers_of(store, id);
      unmount_image(store, id);
      // podman's remove event names the image as resolved: the stored name, or the ID as typed.
      std::string referenced_by = store::find_name(store, id, text).value_or(text);
      print_removal(store, store.remove_image(id), id, referenced_by);
      remove_unused_snapshots(store);
    } catch (const Error& e) {
      // podman's --force also ignores images that do not exist.
      if ((ignore || force) && e.kind() == ErrorKind::kNotFound) continue;
      errors.push_back(e);
    }
  }
  return report_errors(errors);
}

int cmd_image_exists(Context& ctx, CommandArgs args) {
  FlagSet flags;
  bool help = false;
  auto positional = parse_command_flags(ctx, flags, args, "schicht image exists IMAGE", &help);
  if (help) return 0;
  if (positional.size() != 1) {
    fail(ErrorKind::kInvalidInput, fmt::format("accepts 1 arg(s), received {}", positional.size()));
  }
  const std::string& text = positional[0];
  // As in podman, a malformed name is an error (125 and the parser's message), not a missing
  // image (1, silently).
  if (text.starts_with("sha256:")) {
    if (!Digest::try_parse(text)) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{}: invalid format: no 64-byte hexadecimal value", text));
    }
  } else if (!is_id_prefix(text)) {
    (void)Reference::parse_unnormalized(text);  // podman's lookup parses before normalizing
  }
  return store::find_image(ctx.store(), text) ? 0 : 1;
}

}  // namespace schicht::cli
