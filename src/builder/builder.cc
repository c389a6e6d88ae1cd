#include "builder/builder.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "builder/copy_step.h"
#include "builder/emulation.h"
#include "builder/layers.h"
#include "builder/mapped_tree.h"
#include "builder/overlay_root.h"
#include "builder/run_step.h"
#include "builder/step.h"
#include "builder/work_dir.h"
#include "content/stored_layer.h"
#include "core/error.h"
#include "core/platform.h"
#include "core/time.h"
#include "snapshot/apply.h"
#include "snapshot/safe_tree.h"
#include "store/build_cache.h"
#include "store/lookup.h"

namespace schicht::builder {
namespace {

// An error whose message already names the step it belongs to (not the one running).
class NamesItsStep : public Error {
 public:
  using Error::Error;
};

constexpr std::string_view kDefaultPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
// Changing how steps are executed invalidates what the cache holds: bump this then.
constexpr std::string_view kCacheVersion = "schicht-build-cache-1";

bool is_layer_step(const std::string& keyword) {
  return keyword == "RUN" || keyword == "COPY" || keyword == "ADD";
}

std::string short_id(const Digest& id, size_t n) {
  return std::string(id.hex().substr(0, n));
}

class Builder {
 public:
  Builder(store::Store& store, const BuildOptions& options)
      : store_(store),
        options_(options),
        work_(store.root()),
        writer_(std::make_unique<store::ImageWriter>(store)) {}

  Digest run() {
    std::string text;
    try {
      text = read_file(options_.containerfile);
    } catch (const Error& e) {
      throw e.with_context("reading the Containerfile");
    }
    file_ = parse_containerfile(text, options_.containerfile_name);
    for (const auto& ins : file_.global_args) {
      for (const auto& word : process_words(ins.args, global_args_, file_.escape)) {
        size_t eq = word.find('=');
        std::string name = word.substr(0, eq);
        if (auto it = options_.build_args.find(name); it != options_.build_args.end()) {
          global_args_[name] = it->second;
        } else if (eq != std::string::npos) {
          global_args_[name] = word.substr(eq + 1);
        }
      }
    }
    const Stage* target = &file_.stages.back();
    if (!options_.target.empty()) {
      target = nullptr;
      for (const auto& s : file_.stages) {
        if (s.name == options_.target) target = &s;
      }
      if (target == nullptr) {
        fail(ErrorKind::kInvalidInput, fmt::format("target stage {:?} not found", options_.target));
      }
    }
    target_ = target->index;
    std::set<int> needed;
    need_stage(target->index, needed);
    results_.resize(file_.stages.size());
    try {
      for (int index : needed) run_stage(file_.stages[static_cast<size_t>(index)]);
      Digest id = commit_final();
      discard_unreferenced();
      return id;
    } catch (...) {
      ignore_error("dropping blobs of the build that nothing references; system check finds them",
                   [&] { writer_->rollback(); });
      throw;
    }
  }

 private:
  void out(const std::string& line) {
    if (options_.out && !options_.quiet) options_.out(line);
  }

  std::string prefix() const {
    if (file_.stages.size() <= 1) return "";
    return fmt::format("[{}/{}] ", current_ + 1, file_.stages.size());
  }

  const Stage* stage_named(const std::string& name, int before) const {
    const Stage* s = file_.find_stage(name);
    return s != nullptr && s->index < before ? s : nullptr;
  }

  // The stages `index` depends on (FROM, COPY --from), then itself.
  void need_stage(int index, std::set<int>& needed) {
    if (!needed.insert(index).second) return;
    const Stage& stage = file_.stages[static_cast<size_t>(index)];
    std::string base = process_word(stage.base, global_args_, file_.escape);
    if (const Stage* s = stage_named(base, index)) need_stage(s->index, needed);
    for (const auto& ins : stage.instructions) {
      if (ins.keyword != "COPY" && ins.keyword != "ADD") continue;
      if (auto from = ins.flag("from")) {
        if (const Stage* s = stage_named(*from, index)) need_stage(s->index, needed);
      }
    }
  }

  // The platform a stage's image is of: what was asked for, else this machine's.
  Platform target_platform() const { return options_.platform.value_or(Platform::host()); }

  // Whether a stored image is of the platform asked for (any image is, when none was asked).
  bool of_target_platform(const Digest& id) {
    if (!options_.platform) return true;
    ImageConfig config = parse_config(store_.blobs().read(id));
    Platform image{.os = config.os, .architecture = config.architecture, .variant = config.variant};
    for (const Platform& candidate : candidate_platforms(*options_.platform)) {
      if (platform_matches(image, candidate)) return true;
    }
    return false;
  }

  Digest find_or_pull(const std::string& name) {
    auto local = store::find_image(store_, name);
    // An image of another platform is not this one's base: podman pulls instead.
    if (local && !of_target_platform(*local)) local.reset();
    if (options_.pull == PullPolicy::kNever || (options_.pull == PullPolicy::kMissing && local)) {
      if (!local) fail(ErrorKind::kNotFound, fmt::format("{}: image not known", name));
      return *local;
    }
    if (!options_.pull_image) {
      if (local) return *local;
      fail(ErrorKind::kNotFound, fmt::format("{}: image not known", name));
    }
    return options_.pull_image(name);
  }

  ImageState load_image(const Digest& id) {
    ImageState state;
    state.config = parse_config(store_.blobs().read(id));
    state.layers = store_.layers(id);
    state.id = id;
    return state;
  }

  // --- stages ---------------------------------------------------------------------------------

  void run_stage(const Stage& stage) {
    current_ = stage.index;
    size_t steps = stage.instructions.size() + 1;
    std::string base = process_word(stage.base, global_args_, file_.escape);
    // podman shows the FROM line with its base image's ARGs substituted.
    std::string from_line = stage.from.original;
    if (size_t at = from_line.find(stage.base, 4); at != std::string::npos && base != stage.base) {
      from_line.replace(at, stage.base.size(), base);
    }
    out(fmt::format("{}STEP 1/{}: {}", prefix(), steps, from_line));
    StageContext ctx;
    ctx.file = &file_;
    ctx.stage = &stage;
    with_step(stage.from, [&] {
      if (base == "scratch") {
        Platform platform = target_platform();
        ctx.state.config.os = platform.os;
        ctx.state.config.architecture = platform.architecture;
        ctx.state.config.variant = platform.variant;
      } else if (const Stage* s = stage_named(base, stage.index)) {
        ctx.state = results_[static_cast<size_t>(s->index)];
        if (ctx.state.id) ctx.history_comment = "FROM " + short_id(*ctx.state.id, 12);
      } else {
        Digest id = find_or_pull(base);
        ctx.state = load_image(id);
        ctx.base_name = store::find_name(store_, id, base).value_or(base);
        ctx.base_manifest = store_.image(id)->manifest_digest;
        ctx.history_comment = "FROM " + ctx.base_name;
      }
    });
    auto& env = ctx.state.config.config.env;
    if (std::none_of(env.begin(), env.end(),
                     [](const auto& e) { return e.starts_with("PATH="); })) {
      env.insert(env.begin(), std::string(kDefaultPath));
    }
    if (stage.index == target_) {
      base_name_ = ctx.base_name;
      base_manifest_ = ctx.base_manifest;
      base_layers_ = ctx.state.layers.size();
      base_history_ = ctx.state.config.history.size();
    }
    rootfs_valid_ = false;
    rootfs_ = work_.path() / fmt::format("stage{}", stage.index);
    overlay_.reset();
    if (options_.overlay) {
      overlay_ = std::make_unique<OverlayRoot>(
          store_, work_.path() / fmt::format("overlay{}", stage.index));
    }
    // ONBUILD triggers of the base run first, as steps of FROM; the child does not inherit them.
    std::vector<std::string> triggers = std::move(ctx.state.config.config.on_build);
    ctx.state.config.config.on_build.clear();
    for (const auto& trigger : triggers) {
      Containerfile one = parse_containerfile("FROM scratch\n" + trigger + "\n", file_.path);
      Instruction ins = one.stages[0].instructions.at(0);
      ins.line = stage.from.line;
      with_step(ins, [&] { run_step(ctx, ins, false); });
    }
    for (size_t i = 0; i < stage.instructions.size(); ++i) {
      const Instruction& ins = stage.instructions[i];
      out(fmt::format("{}STEP {}/{}: {}", prefix(), i + 2, steps, ins.original));
      bool last = i + 1 == stage.instructions.size();
      bool final_step = last && stage.index == target_;
      with_step(ins, [&] { run_step(ctx, ins, final_step); });
      if (final_step) {
        out(fmt::format("{}COMMIT{}", prefix(),
                        options_.commit_name.empty() ? "" : " " + options_.commit_name));
      }
      out(fmt::format("--> {}", short_id(*ctx.state.id, 11)));
    }
    if (stage.instructions.empty() && stage.index == target_) {
      final_needs_commit_ = true;
    }
    results_[static_cast<size_t>(stage.index)] = ctx.state;
  }

  // How podman names a step in errors: the keyword, its flags and its arguments, an exec
  // form's words joined by spaces ("RUN /nosuch" for RUN ["/nosuch"]).
  static std::string step_message(const Instruction& ins) {
    std::string text = ins.keyword + " ";
    for (const auto& f : ins.flags) text += f + " ";
    text += ins.exec_form ? fmt::format("{}", fmt::join(*ins.exec_form, " ")) : ins.args;
    return text;
  }

  template <typename Fn>
  void with_step(const Instruction& ins, Fn&& fn) {
    try {
      fn();
    } catch (const NamesItsStep&) {
      throw;
    } catch (const Error& e) {
      throw Error(e.kind(),
                  at_line(file_.path, ins.line,
                          fmt::format("building at STEP {:?}: {}", step_message(ins), e.what())));
    }
  }

  // --- steps ----------------------------------------------------------------------------------

  std::vector<std::pair<std::string, std::string>> sorted_args(const StageContext& ctx) const {
    auto args = ctx.args;
    std::sort(args.begin(), args.end());
    return args;
  }

  void run_step(StageContext& ctx, const Instruction& ins, bool final_step) {
    if (ins.keyword == "WORKDIR") ctx.workdir_step = ins;
    Hasher key;
    key.update(fmt::format("{}\nparent {}\nstage-base {}\n", kCacheVersion,
                           ctx.state.id ? ctx.state.id->str() : "scratch", ctx.history_comment));
    key.update(fmt::format("instruction {}\nflags {}\n", ins.original, fmt::join(ins.flags, " ")));
    // A scratch stage's platform is in no parent image.
    if (options_.platform) key.update(fmt::format("platform {}\n", options_.platform->str()));
    for (const auto& [k, v] : sorted_args(ctx)) key.update(fmt::format("arg {}={}\n", k, v));
    if (ins.keyword == "ARG") {
      // The values this ARG brings into effect.
      for (const auto& [k, v] : options_.build_args)
        key.update(fmt::format("build-arg {}={}\n", k, v));
    }
    key.update(fmt::format("shell {}\n", fmt::join(ctx.shell, "\x1f")));
    if (options_.timestamp) key.update(fmt::format("timestamp {}\n", *options_.timestamp));
    if (options_.docker_format) key.update("format docker\n");
    if (options_.identity_label) key.update(fmt::format("identity {}\n", kIdentityLabelValue));
    if (final_step) {
      for (const auto& [k, v] : options_.labels) key.update(fmt::format("label {}={}\n", k, v));
    }

    // COPY/ADD: resolve and hash the sources first; their content is part of the key.
    std::optional<CopySpec> copy;
    std::vector<ResolvedSource> sources;
    std::string sources_hash;
    if (ins.keyword == "COPY" || ins.keyword == "ADD") {
      copy = copy_spec(ctx, ins);
      sources_hash = resolve_and_hash(*copy, sources);
      key.update(fmt::format("sources {} dest {}\n", sources_hash, copy->dest));
    }
    std::string cache_key = key.finish().str();
    // --squash builds without the cache, as buildah does.
    bool use_cache = options_.layers && options_.use_cache && !options_.squash;
    if (use_cache) {
      if (auto hit = store::cache_lookup(store_, cache_key)) {
        ImageConfig config = parse_config(store_.blobs().read(hit->config));
        // Metadata the stage keeps outside the config (ARGs, SHELL) still has to follow.
        if (!is_layer_step(ins.keyword)) apply_metadata(ctx, ins, options_, global_args_);
        ctx.state.config = std::move(config);
        ctx.state.layers = hit->layers;
        ctx.state.id = hit->config;
        if (is_layer_step(ins.keyword)) {
          rootfs_valid_ = false;
          if (overlay_) overlay_->invalidate();
        }
        ctx.history_comment = "FROM " + short_id(hit->config, 12);
        out(fmt::format("--> Using cache {}", hit->config.hex()));
        return;
      }
    }

    int64_t now = options_.timestamp ? *options_.timestamp * 1'000'000'000 : store::now_ns();
    HistoryEntry history;
    if (ins.keyword == "RUN") {
      history.created_by = run(ctx, ins);
    } else if (copy) {
      prepare_rootfs(ctx);
      // Rootless, as root of the build's user namespace: --chown gives the layer its owners,
      // and directories other ids own are writable.
      in_build_namespace([&] { copy_into(*copy, sources, root_); });
      commit_layer_step(ctx);
      history.created_by = fmt::format("/bin/sh -c #(nop) {} {} in {} ", ins.keyword, sources_hash,
                                       copy->dest_as_written);
    } else {
      history.created_by = "/bin/sh -c #(nop) " + apply_metadata(ctx, ins, options_, global_args_);
      history.empty_layer = true;
    }
    if (final_step) {
      for (const auto& [k, v] : options_.labels) ctx.state.config.config.labels[k] = v;
    }
    add_identity_label(ctx.state.config);
    history.comment = ctx.history_comment;
    history.created = format_rfc3339_nano(now);
    ctx.state.config.created = history.created;
    ctx.state.config.history.push_back(history);
    BlobSink sink{store_, *writer_};
    auto [id, size] = commit_config(sink, ctx.state.config);
    ctx.state.id = id;
    ctx.history_comment = "FROM " + short_id(id, 12);
    if (options_.layers && !options_.squash) {
      store::cache_put(store_, cache_key,
                       store::CacheEntry{.config = id,
                                         .config_size = size,
                                         .layers = ctx.state.layers,
                                         .created = store::now_ns()});
    }
  }

  void add_identity_label(ImageConfig& config) const {
    if (options_.identity_label)
      config.config.labels[std::string(kIdentityLabel)] = std::string(kIdentityLabelValue);
  }

  CopySpec copy_spec(StageContext& ctx, const Instruction& ins) {
    Variables vars = ctx.variables();
    std::vector<std::string> words;
    if (ins.exec_form) {
      for (const auto& w : *ins.exec_form) words.push_back(process_word(w, vars, file_.escape));
    } else {
      words = process_words(ins.args, vars, file_.escape);
    }
    if (words.size() < 2) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{} requires at least two arguments", ins.keyword));
    }
    CopySpec spec;
    spec.add = ins.keyword == "ADD";
    spec.dest = words.back();
    spec.dest_as_written = spec.dest;
    words.pop_back();
    spec.sources = words;
    if (!spec.dest.starts_with("/")) {
      std::string wd =
          ctx.state.config.config.working_dir.empty() ? "/" : ctx.state.config.config.working_dir;
      spec.dest = (wd.ends_with("/") ? wd : wd + "/") + spec.dest;
    }
    spec.chown = ins.flag("chown");
    if (auto chmod = ins.flag("chmod")) spec.chmod = parse_chmod(*chmod);
    spec.download_dir = work_.path() / "downloads";
    if (auto from = ins.flag("from")) {
      std::string name = process_word(*from, global_args_, file_.escape);
      fs::path empty = work_.path() / "empty";
      spec.keep_owners = true;
      if (const Stage* s = stage_named(name, ctx.stage->index)) {
        spec.source_root = source_tree(results_[static_cast<size_t>(s->index)].layers, empty);
      } else {
        std::optional<Digest> id;
        try {
          id = find_or_pull(name);
        } catch (const Error&) {
          fail(ErrorKind::kNotFound,
               fmt::format("{} --from={}: no stage or image found with that name", ins.keyword,
                           name));
        }
        spec.source_root = source_tree(store_.layers(*id), empty);
      }
    } else {
      spec.source_root = options_.context_dir;
      if (!ignore_loaded_) {
        ignore_ = IgnoreRules::load(options_.context_dir);
        ignore_loaded_ = true;
      }
      spec.ignore = &ignore_;
    }
    return spec;
  }

  // The root filesystem of `layers` for COPY --from: materialized in the work directory once
  // per build (snapshots are diffs; rootless with subordinate ids, whose snapshots carry no
  // owners, it is unpacked with its owners).
  fs::path source_tree(const std::vector<store::LayerInfo>& layers, const fs::path& empty) {
    if (layers.empty()) return snapshot_of(store_, layers, empty);
    std::string key;
    for (const auto& layer : layers) key += layer.diff_id.str() + '\n';
    auto [it, added] =
        source_trees_.try_emplace(key, work_.path() / fmt::format("from{}", source_trees_.size()));
    if (added) materialize(store_, layers, it->second);
    return it->second;
  }

  // COPY/ADD sources and their digest. Rootless, the files of a stage or an image belong to
  // subordinate ids, maybe unreadable to the caller: they are read in the build's namespace.
  std::string resolve_and_hash(const CopySpec& copy, std::vector<ResolvedSource>& sources) {
    if (!copy.keep_owners || !builds_in_namespace()) {
      sources = resolve_sources(copy);
      return hash_sources(copy, sources);
    }
    // "<hash>\0" and "<path>\0<rel>\0<url 0|1>\0" for each source.
    std::string out = from_build_namespace([&] {
      std::vector<ResolvedSource> found = resolve_sources(copy);
      std::string text = hash_sources(copy, found) + '\0';
      for (const auto& f : found)
        text += f.path.string() + '\0' + f.rel + '\0' + (f.url ? "1" : "0") + '\0';
      return text;
    });
    std::vector<std::string> fields;
    for (size_t pos = 0, nul; (nul = out.find('\0', pos)) != std::string::npos; pos = nul + 1)
      fields.push_back(out.substr(pos, nul - pos));
    if (fields.empty() || fields.size() % 3 != 1)
      fail(ErrorKind::kIo, "reading the sources found in the user namespace: truncated");
    for (size_t i = 1; i < fields.size(); i += 3)
      sources.push_back({fields[i], fields[i + 1], fields[i + 2] == "1"});
    return fields[0];
  }

  // Creates the working directory `wd` (`rel` inside root_), following symlinks inside it.
  // As root (also of the build's user namespace), every directory created on the way belongs
  // to `user` when given, as buildah makes them.
  void make_work_dir(const std::string& wd, const std::string& rel, const std::string& user) {
    in_build_namespace([&] {
      UniqueFd root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!root) fail_errno("open", root_.string());
      std::optional<snapshot::DirOwner> owner;
      if (!user.empty() && ::geteuid() == 0) {
        auto [uid, gid] = lookup_owner(user, root_);
        owner = snapshot::DirOwner{uid, gid};
      }
      auto walk = snapshot::resolve_dir_in_root(root.get(), rel, true, owner ? &*owner : nullptr);
      if (walk.status == snapshot::WalkStatus::kLoop) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("creating working directory {:?}: resolving {:?}: too many levels of "
                         "symbolic links",
                         wd, "/" + walk.stopped_at));
      }
      if (walk.status != snapshot::WalkStatus::kOk) {
        fail(ErrorKind::kInvalidInput,
             fmt::format("creating working directory {:?}: {:?} is not a directory", wd,
                         "/" + walk.stopped_at));
      }
    });
  }

  // Makes root_ hold exactly the stage's layers: an overlay of them with a fresh upper
  // directory, else (or when the overlay cannot be mounted) rootfs_, a flattened copy, whose
  // state before the step is recorded. For RUN, buildah also creates the working directory
  // (owned by USER) and the VOLUME mount points, so they land in the step's layer.
  void prepare_rootfs(StageContext& ctx, bool for_run = false) {
    if (overlay_) {
      try {
        root_ = overlay_->mount(ctx.state.layers);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::kUnsupported) throw;
        overlay_.reset();  // the rest of the stage works on a flattened copy
      }
    }
    if (!overlay_) {
      if (!rootfs_valid_) {
        remove_build_tree(work_.path(), rootfs_.filename().string());
        materialize(store_, ctx.state.layers, rootfs_);
        rootfs_valid_ = true;
      }
      before_ = scan_build_tree(rootfs_);
      root_ = rootfs_;
    }
    // WORKDIR's directory appears in the next layer, as buildah creates it there. Symlinks on
    // the way are followed inside the root filesystem, as buildah's chrooted mkdir does.
    const std::string& wd = ctx.state.config.config.working_dir;
    if (!wd.empty() && wd != "/") {
      std::string rel = fs::path(wd).lexically_normal().relative_path().string();
      while (!rel.empty() && rel.back() == '/') rel.pop_back();
      try {
        make_work_dir(wd, rel, for_run ? ctx.state.config.config.user : "");
      } catch (const Error& e) {
        // podman makes the directory at the WORKDIR step, so that step fails.
        if (e.kind() != ErrorKind::kInvalidInput || !ctx.workdir_step) throw;
        const Instruction& step = *ctx.workdir_step;
        throw NamesItsStep(e.kind(), at_line(file_.path, step.line,
                                             fmt::format("building at STEP {:?}: {}",
                                                         step_message(step), e.what())));
      }
    }
    if (for_run) {
      UniqueFd root(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!root) fail_errno("open", root_.string());
      for (const auto& volume : ctx.state.config.config.volumes) {
        std::string rel = fs::path(volume).lexically_normal().relative_path().string();
        while (!rel.empty() && rel.back() == '/') rel.pop_back();
        if (!rel.empty()) (void)snapshot::open_dir_beneath(root.get(), rel, true);
      }
    }
  }

  void commit_layer_step(StageContext& ctx) {
    BlobSink sink{store_, *writer_};
    DiffOptions diff;
    diff.mtime = options_.timestamp;
    store::LayerInfo layer =
        overlay_ ? commit_layer(sink, [&](Writer& out) { overlay_->write_layer(out, diff); })
                 : commit_layer(sink, rootfs_, before_, diff);
    ctx.state.layers.push_back(layer);
    ctx.state.config.diff_ids.push_back(layer.diff_id);
  }

  std::string run(StageContext& ctx, const Instruction& ins) {
    prepare_rootfs(ctx, true);
    RunCommand command;
    command.rootfs = root_.string();
    // History shows the instruction's text after "/bin/sh -c", whatever SHELL or the form.
    std::string shown = "/bin/sh -c " + ins.args;
    if (ins.exec_form) {
      command.argv = *ins.exec_form;
    } else {
      command.argv = ctx.shell;
      command.argv.push_back(ins.args);
    }
    command.env = ctx.state.config.config.env;
    auto args = sorted_args(ctx);
    for (const auto& [k, v] : args) {
      std::string assignment = k + "=";
      bool in_env = std::any_of(command.env.begin(), command.env.end(),
                                [&](const std::string& e) { return e.starts_with(assignment); });
      if (!in_env) command.env.push_back(assignment + v);
    }
    command.workdir =
        ctx.state.config.config.working_dir.empty() ? "/" : ctx.state.config.config.working_dir;
    command.user = ctx.state.config.config.user;
    command.volumes = ctx.state.config.config.volumes;
    // An image that names no architecture is taken to be this machine's, as runtimes do.
    if (const ImageConfig& config = ctx.state.config; !config.architecture.empty()) {
      require_runnable(Platform{.os = config.os.empty() ? "linux" : config.os,
                                .architecture = config.architecture,
                                .variant = config.variant},
                       Platform::host());
    }
    int status = run_command(command);
    if (status != 0) {
      throw StepFailed(
          at_line(file_.path, ins.line,
                  fmt::format("building at STEP {:?}: exit status {}", step_message(ins), status)),
          status);
    }
    commit_layer_step(ctx);
    if (args.empty()) return shown;
    std::string prefix = fmt::format("|{}", args.size());
    for (const auto& [k, v] : args) prefix += fmt::format(" {}={}", k, v);
    return prefix + " " + shown;
  }

  // --- the final image ------------------------------------------------------------------------

  Digest commit_final() {
    ImageState state = results_[static_cast<size_t>(target_)];
    BlobSink sink{store_, *writer_};
    if (final_needs_commit_ || !state.id) {
      // A stage without instructions: the base itself, with --label applied.
      for (const auto& [k, v] : options_.labels) state.config.config.labels[k] = v;
      if (!state.id || !options_.labels.empty()) {
        add_identity_label(state.config);
        int64_t now = options_.timestamp ? *options_.timestamp * 1'000'000'000 : store::now_ns();
        state.config.created = format_rfc3339_nano(now);
        auto [id, size] = commit_config(sink, state.config);
        state.id = id;
      }
      out(fmt::format("{}COMMIT{}", prefix(),
                      options_.commit_name.empty() ? "" : " " + options_.commit_name));
      out(fmt::format("--> {}", short_id(*state.id, 11)));
    }
    if (options_.squash) squash(state, sink);
    std::map<std::string, std::string> annotations = options_.annotations;
    if (!base_name_.empty() && base_manifest_) {
      annotations.emplace("org.opencontainers.image.base.digest", base_manifest_->str());
      annotations.emplace("org.opencontainers.image.base.name", base_name_);
    }
    std::string config_bytes = store_.blobs().read(*state.id);
    commit_image(sink, *state.id, config_bytes.size(), state.config, state.layers, annotations,
                 options_.tags, options_.docker_format);
    for (const auto& tag : options_.tags) out(fmt::format("Successfully tagged {}", tag));
    return *state.id;
  }

  // --squash: the layers the build added become one, as buildah squashes them: the base's
  // layers stay, every new history entry is empty but the last, which carries the layer.
  void squash(ImageState& state, BlobSink& sink) {
    if (state.layers.size() <= base_layers_) return;
    fs::path dir = work_.path() / "squash";
    std::vector<store::LayerInfo> base(state.layers.begin(),
                                       state.layers.begin() + static_cast<long>(base_layers_));
    materialize(store_, base, dir);
    TreeState before = scan_build_tree(dir);
    apply_stored_layers(
        store_,
        std::vector<store::LayerInfo>(state.layers.begin() + static_cast<long>(base_layers_),
                                      state.layers.end()),
        dir);
    DiffOptions diff;
    diff.mtime = options_.timestamp;
    store::LayerInfo layer = commit_layer(sink, dir, before, diff);
    state.layers = std::move(base);
    state.layers.push_back(layer);
    state.config.diff_ids.erase(state.config.diff_ids.begin() + static_cast<long>(base_layers_),
                                state.config.diff_ids.end());
    state.config.diff_ids.push_back(layer.diff_id);
    auto& history = state.config.history;
    for (size_t i = base_history_; i < history.size(); ++i) {
      history[i].empty_layer = i + 1 != history.size();
      history[i].comment.clear();
    }
    if (history.size() > base_history_ && !base_name_.empty()) {
      history.back().comment = "FROM " + base_name_;
    }
    auto [id, size] = commit_config(sink, state.config);
    state.id = id;
  }

  // Blobs this build wrote that neither the cache nor an image references.
  void discard_unreferenced() {
    ignore_error("dropping blobs of the build that nothing references; system check finds them",
                 [&] { writer_->finish(); });
  }

  store::Store& store_;
  const BuildOptions& options_;
  WorkDir work_;
  std::unique_ptr<store::ImageWriter> writer_;
  Containerfile file_;
  Variables global_args_;
  int target_ = 0;
  int current_ = 0;
  std::vector<ImageState> results_;
  std::string base_name_;
  std::optional<Digest> base_manifest_;
  bool final_needs_commit_ = false;
  size_t base_layers_ = 0;  // of the target stage's FROM
  size_t base_history_ = 0;
  fs::path rootfs_;
  bool rootfs_valid_ = false;
  TreeState before_;
  std::unique_ptr<OverlayRoot> overlay_;  // the stage's steps run on an overlay (when set)
  fs::path root_;                         // where the step works: rootfs_ or the overlay
  IgnoreRules ignore_;
  bool ignore_loaded_ = false;
  std::map<std::string, fs::path> source_trees_;  // see source_tree()
};

}  // namespace

Digest build_image(store::Store& store, const BuildOptions& options) {
  return Builder(store, options).run();
}

}  // namespace schicht::builder
