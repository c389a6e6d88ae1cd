// tag, untag, rmi and image exists: names move, digests stay; an image goes only with its
// last name (or when asked by ID with -f).
#include <algorithm>

#include <fmt/format.h>

#include "cli/commands.h"
#include "containers/containers.h"
#include "containers/image_mount.h"
#include "copy/pull_up.h"
#include "core/error.h"
#include "core/reference.h"
#include "images/remove.h"
#include "store/event_recorder.h"
#include "store/lookup.h"

namespace schicht::cli {
namespace {

// Whether `text` can be an image ID or a prefix of one.
bool is_id_prefix(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
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

// Prints what rmi did and records podman's events for it, in order; returns the exit code.
int render_removals(store::Store& store, const images::RemoveResult& result) {
  for (const images::Removed& r : result.done) {
    switch (r.what) {
      case images::Removed::What::kImage:
        record_removal_events(store, store::RemovalReport{.untagged = r.untagged}, r.id,
                              r.referenced_by);
        for (const auto& name : r.untagged) fmt::print("Untagged: {}\n", name);
        fmt::print("Deleted: {}\n", r.id.hex());
        break;
      case images::Removed::What::kName:
        // podman records the image's remove event even when only a name went.
        record_image_event(store, "untag", &r.id, r.referenced_by);
        record_image_event(store, "remove", &r.id, r.referenced_by);
        fmt::print("Untagged: {}\n", r.referenced_by);
        break;
      case images::Removed::What::kList:
        fmt::print("Untagged: {}\n", r.untagged[0]);
        if (r.deleted) fmt::print("Deleted: {}\n", r.id.hex());
        break;
    }
  }
  return report_errors(result.errors);
}

// What removing an image does to containers, mounts and snapshots.
images::RemovalEffects removal_effects(store::Store& store) {
  return images::RemovalEffects{
      .remove_containers =
          [&store](const Digest& id) { containers::remove_containers_of(store, id); },
      .unmount = [&store](const Digest& id) { containers::unmount_image(store, id); },
      .remove_unused_snapshots = [&store] { containers::remove_unused_snapshots(store); },
  };
}

// The image `text` names when only an additional (read-only) image store has it: nothing may
// change it. A name the primary store resolves, or resolves ambiguously, is the primary's
// (its own error follows there).
std::optional<Context::StoredImage> read_only_image(Context& ctx, std::string_view text) {
  try {
    if (store::find_image(ctx.store(), text)) return std::nullopt;
  } catch (const Error&) {
    return std::nullopt;
  }
  auto found = ctx.find_image(text);
  if (found && found->read_only()) return found;
  return std::nullopt;
}

// podman's refusal to remove an image of an additional store.
Error read_only_error(const Context::StoredImage& image) {
  return Error(ErrorKind::kReadOnly,
               fmt::format("cannot remove read-only image {:?}", image.id.hex()));
}

// Runs `change` (a tag or untag of the image `text`) in the primary store. An image only an
// additional store holds is pulled up into the primary store first, as containers/storage pulls
// an image up to change its names; before that, `change` runs on the additional store itself,
// where every check of the arguments happens and the first write fails (kReadOnly), so bad
// arguments leave both stores as they were. The additional store is never written.
template <typename Change>
auto change_names(Context& ctx, const std::string& text, const Change& change) {
  auto ro = read_only_image(ctx, text);
  if (!ro) return change(ctx.store(), text);
  try {
    change(*ro->store, text);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kReadOnly) throw;
  }
  copy::pull_up_image(ctx.store(), *ro->store, ro->id);
  return change(ctx.store(), std::string(ro->id.hex()));
}

}  // namespace

int cmd_tag(Context& ctx, NoOptions& /*options*/, Invocation& invocation) {
  const auto& positional = invocation.positional;
  store::Store& store = ctx.store();
  std::vector<std::string> typed(positional.begin() + 1, positional.end());
  images::Tagged tagged =
      change_names(ctx, positional[0], [&](store::Store& in, const std::string& image) {
        return images::tag_image(in, image, typed);
      });
  for (const std::string& name : typed) {
    record_image_event(store, "tag", &tagged.id, name);  // podman: the name as typed
  }
  return 0;
}

int cmd_untag(Context& ctx, NoOptions& /*options*/, Invocation& invocation) {
  const auto& positional = invocation.positional;
  store::Store& store = ctx.store();
  std::vector<std::string> names(positional.begin() + 1, positional.end());
  images::Untagged untagged =
      change_names(ctx, positional[0], [&](store::Store& in, const std::string& image) {
        return images::untag_image(in, image, names);
      });
  for (const auto& name : untagged.names) record_image_event(store, "untag", &untagged.id, name);
  return 0;
}

int cmd_rmi(Context& ctx, RmiOptions& parsed, Invocation& invocation) {
  auto& [all, force, ignore, no_prune] = parsed;
  const auto& positional = invocation.positional;
  if (positional.empty() && !all) {
    fail(ErrorKind::kInvalidInput, "image name or ID must be specified");
  }
  if (!positional.empty() && all) {
    fail(ErrorKind::kInvalidInput,
         "when using the --all switch, you may not pass any images names or IDs");
  }
  store::Store& store = ctx.store();
  images::RemoveOptions options{.force = force, .ignore = ignore};
  images::RemovalEffects effects = removal_effects(store);
  // An image of an additional store is never removed, -f or not (podman); --all removes the
  // primary store's images only (podman adds readonly=false).
  std::vector<std::string> writable;
  std::vector<Error> refused;
  for (const auto& name : positional) {
    if (auto ro = read_only_image(ctx, name)) {
      refused.push_back(read_only_error(*ro));
    } else {
      writable.push_back(name);
    }
  }
  images::RemoveResult result;
  if (all) {
    result = images::remove_all_images(store, options, effects);
  } else if (!writable.empty()) {
    result = images::remove_images(store, writable, options, effects);
  }
  result.errors.insert(result.errors.end(), refused.begin(), refused.end());
  return render_removals(store, result);
}

int cmd_image_exists(Context& ctx, NoOptions& /*options*/, Invocation& invocation) {
  const auto& positional = invocation.positional;
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
  return ctx.find_image(text) ? 0 : 1;  // additional image stores too
}

}  // namespace schicht::cli
