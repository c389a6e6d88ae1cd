#include "cli/context.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "cmdline/help.h"
#include "core/error.h"
#include "core/fs.h"
#include "store/lookup.h"
#include "store/storage_conf.h"

namespace schicht::cli {

void add_global_flags(FlagSet& flags, GlobalOptions& o) {
  flags.add_string("root", 0, &o.root, "Path to the root directory in which data is stored");
  flags.add_string("runroot", 0, &o.runroot, "Path to the 'run directory' (accepted, unused)");
  flags.add_string("storage-driver", 0, &o.storage_driver, "Storage driver: overlay or vfs");
  flags.add_strings(
      "storage-opt", 0, &o.storage_opts,
      "Storage option KEY=VALUE (additionalimagestore=DIR, overlay.mount_program=PATH)");
  flags.add_string("log-level", 0, &o.log_level, "Log messages above specified level");
  flags.add_string("tmpdir", 0, &o.tmpdir, "Path to the tmp directory");
  flags.add_string("policy", 0, &o.policy, "Path to a signature verification policy file");
  flags.add_bool("insecure-policy", 0, &o.insecure_policy,
                 "Run without any policy check (dangerous)");
  flags.add_string("registries.d", 0, &o.registries_d,
                   "Path to a directory with signature storage configuration");
  flags.add_bool("help", 'h', &o.help, "Help for this command");
  // podman's global flags that concern containers, networks or remote use.
  for (const char* name : {"cgroup-manager",
                           "cni-config-dir",
                           "conmon",
                           "connection",
                           "events-backend",
                           "hooks-dir",
                           "identity",
                           "imagestore",
                           "namespace",
                           "network-cmd-path",
                           "network-config-dir",
                           "runtime",
                           "runtime-flag",
                           "ssh",
                           "url",
                           "volumepath",
                           "module",
                           "registries-conf",
                           "config",
                           "db-backend",
                           "out"}) {
    flags.add_ignored(name, name == std::string_view("connection") ? 'c' : '\0', true);
  }
  for (const char* name : {"remote", "syslog", "trace", "noout", "transient-store"}) {
    flags.add_ignored(name, name == std::string_view("remote") ? 'r' : '\0', false);
  }
}

std::string Context::root() const {
  if (!options_.root.empty()) return options_.root;
  if (const char* env = std::getenv("SCHICHT_ROOT"); env != nullptr && *env != '\0') return env;
  if (::geteuid() == 0) return "/var/lib/schicht";
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/schicht";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "/tmp") + "/.local/share/schicht";
}

store::Store& Context::store() {
  if (!store_) {
    store_ = std::make_unique<store::Store>(root());
    // As containers/storage opens its additional stores with the store: a bad one fails every
    // command that uses the store, not only those that read images.
    (void)additional_stores();
  }
  return *store_;
}

const std::vector<std::unique_ptr<store::Store>>& Context::additional_stores() {
  if (!additional_) {
    std::vector<std::unique_ptr<store::Store>> stores;
    for (const auto& dir : store::additional_image_stores(options_.storage_opts)) {
      auto extra = std::make_unique<store::Store>(dir, store::Store::ReadOnly{});
      // The primary store named again adds nothing (its images are listed once, as its own).
      if (store_ && extra->root() == store_->root()) continue;
      stores.push_back(std::move(extra));
    }
    additional_ = std::move(stores);
  }
  return *additional_;
}

std::optional<Context::StoredImage> Context::find_image(std::string_view text) {
  if (auto id = store::find_image(store(), text)) return StoredImage{&store(), *id};
  for (const auto& extra : additional_stores()) {
    if (auto id = store::find_image(*extra, text)) return StoredImage{extra.get(), *id};
  }
  return std::nullopt;
}

Context::StoredImage Context::resolve_image(std::string_view text) {
  if (auto found = find_image(text)) return *found;
  // The primary store's own error (podman's wording, or a conflict).
  return StoredImage{&store(), store::resolve_image(store(), text)};
}

namespace {

// Parses `args` with `flags` after adding the global flags to it; prints help (the command's
// flags, then the global ones) and sets `*help_shown` when -h/--help was given.
std::vector<std::string> parse_command_flags(Context& ctx, FlagSet& flags, CommandArgs args,
                                             std::string_view usage, bool* help_shown) {
  size_t own = flags.size();
  add_global_flags(flags, ctx.mutable_options());
  auto positional = flags.parse(args);
  if (!ctx.options().tmpdir.empty()) set_temp_root(ctx.options().tmpdir);
  *help_shown = ctx.options().help;
  if (*help_shown) fmt::print("{}", cmdline::command_help(usage, flags, own));
  return positional;
}

}  // namespace

bool parse_invocation(Context& ctx, const CommandSpec& spec, void* options, CommandArgs args,
                      Invocation& out) {
  for (const FlagGroup& group : spec.flags) {
    void* part = group.part != nullptr ? group.part(options) : options;
    for (const FlagSpec& flag : group.flags) out.flags.add(flag, part);
  }
  out.flags.set_interspersed(spec.interspersed);
  bool help = false;
  out.positional = parse_command_flags(ctx, out.flags, args, spec.usage, &help);
  if (help) return false;
  check_args(spec.args, out.positional.size());
  return true;
}

int run_command(Context& ctx, const CommandSpec& spec, CommandArgs args) {
  return spec.run(ctx, spec, args);
}

std::vector<FlagSet::Info> global_flag_infos() {
  GlobalOptions options;
  FlagSet flags;
  add_global_flags(flags, options);
  flags.add_bool("version", 'v', &options.version, "Version of schicht");
  return flags.visible();
}

containers::DriverRequest driver_request(Context& ctx) {
  return {.root = ctx.store().root(),
          .asked = ctx.options().storage_driver,
          .storage_opts = ctx.options().storage_opts};
}

}  // namespace schicht::cli
