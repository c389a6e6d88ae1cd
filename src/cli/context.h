// What every command gets: the global options (podman's global flags) and the store, opened
// on first use so that commands which do not need it start without touching the disk.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cmdline/command_spec.h"
#include "cmdline/command_tree.h"
#include "cmdline/flags.h"
#include "containers/storage_driver.h"
#include "core/digest.h"
#include "store/store.h"

namespace schicht::cli {

// The command-line library's parts every command uses.
using cmdline::any_args;
using cmdline::ArgRule;
using cmdline::check_args;
using cmdline::exact_args;
using cmdline::FlagGroup;
using cmdline::FlagSet;
using cmdline::FlagSpec;
using cmdline::FlagType;
using cmdline::Invocation;
using cmdline::max_args;
using cmdline::min_args;
using cmdline::need_args;
using cmdline::range_args;

class Context;
using CommandSpec = cmdline::CommandSpec<Context>;

struct GlobalOptions {
  std::string root;
  std::string runroot;
  std::string storage_driver;
  std::vector<std::string> storage_opts;
  std::string log_level = "warn";
  std::string tmpdir;
  std::string policy;            // --policy: policy.json unless a command's --signature-policy
  bool insecure_policy = false;  // --insecure-policy: admit everything, with a warning
  std::string registries_d;      // --registries.d: signature lookaside configuration
  bool help = false;
  bool version = false;
};

// Adds podman's global flags; those meaning nothing to schicht are accepted and ignored.
void add_global_flags(FlagSet& flags, GlobalOptions& options);

class Context {
 public:
  explicit Context(GlobalOptions options) : options_(std::move(options)) {}
  const GlobalOptions& options() const { return options_; }
  GlobalOptions& mutable_options() { return options_; }
  store::Store& store();
  // The root: --root, else $SCHICHT_ROOT, else /var/lib/schicht for root, else
  // $XDG_DATA_HOME/schicht (~/.local/share/schicht).
  std::string root() const;

  // The additional read-only image stores (store/storage_conf.h: --storage-opt
  // additionalimagestore=DIR, or storage.conf's additionalimagestores), opened on first use, in
  // the order given (the primary store's root among them is skipped), when the primary store
  // is. Their images are listed and read, never written.
  const std::vector<std::unique_ptr<store::Store>>& additional_stores();

  // An image and the store holding it.
  struct StoredImage {
    store::Store* store;
    Digest id;
    bool read_only() const { return store->additional(); }
  };
  // Finds what the user typed as store::find_image does, in the primary store first, then in
  // each additional store (so an image in both is the primary's).
  std::optional<StoredImage> find_image(std::string_view text);
  // Like find_image, but kNotFound with podman's "<text>: image not known".
  StoredImage resolve_image(std::string_view text);

 private:
  GlobalOptions options_;
  std::unique_ptr<store::Store> store_;
  std::optional<std::vector<std::unique_ptr<store::Store>>> additional_;
};

// What the global options ask of the storage driver, for the store (containers/storage_driver.h).
containers::DriverRequest driver_request(Context& ctx);

using CommandArgs = std::span<const std::string>;

using Command = cmdline::Command<Context>;
using cmdline::find_command;

// Parses `args` by `spec` into `options` (the struct its flags are bound to) and `out`, global
// flags included; checks the positional arguments by the spec's rule. Returns false when
// -h/--help was given (the help is printed then).
bool parse_invocation(Context& ctx, const CommandSpec& spec, void* options, CommandArgs args,
                      Invocation& out);

// Runs the command `spec` describes.
int run_command(Context& ctx, const CommandSpec& spec, CommandArgs args);

// The global flags, as completion offers them (and --version).
std::vector<FlagSet::Info> global_flag_infos();

}  // namespace schicht::cli
