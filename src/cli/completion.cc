#include "cli/completion.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "cli/command_tree.h"
#include "cli/commands.h"
#include "cmdline/completion_walk.h"
#include "core/error.h"
#include "core/fs.h"
#include "store/artifacts.h"
#include "store/lists.h"

namespace schicht::cli {
namespace {

// Values of flags that take one from a fixed set; `command` narrows --format.
std::vector<std::string> flag_values(std::string_view command, std::string_view flag) {
  if (flag == "format") {
    if (command == "save") return {"docker-archive", "oci-archive", "oci-dir", "docker-dir"};
    if (command == "image sbom") return {"spdx-json", "cyclonedx-json"};
    if (command == "push" || command == "manifest push" || command == "image copy" ||
        command == "image sync") {
      return {"oci", "v2s2"};
    }
    return {"json"};
  }
  if (flag == "sort") return {"created", "id", "repository", "size", "tag"};
  if (flag == "type" && command == "image trust set") {
    return {"accept", "reject", "signedBy", "sigstoreSigned"};
  }
  if (flag == "type") return {"all", "container", "image"};
  if (flag == "pull") return {"always", "missing", "never"};
  if (flag == "log-level") return {"debug", "info", "warn", "error", "fatal", "panic"};
  if (flag == "storage-driver") return {"overlay", "vfs"};
  if (flag == "compression-format") return {"gzip", "zstd", "zstd:chunked"};
  if (flag == "dest-compress-format") return {"gzip", "zstd"};
  if (flag == "multi-arch") return {"system", "all", "index-only"};
  if (command == "image sync" && flag == "src") return {"docker", "dir", "yaml"};
  if (command == "image sync" && flag == "dest") return {"docker", "dir"};
  if (flag == "os") return {"linux", "windows"};
  if (flag == "arch") return {"386", "amd64", "arm", "arm64", "ppc64le", "riscv64", "s390x"};
  return {};
}

bool flag_takes_file(std::string_view flag) {
  static const std::set<std::string_view> kFiles = {"root",
                                                    "runroot",
                                                    "tmpdir",
                                                    "input",
                                                    "output",
                                                    "authfile",
                                                    "cert-dir",
                                                    "policy",
                                                    "policypath",
                                                    "pubkeysfile",
                                                    "signature-policy",
                                                    "digestfile",
                                                    "registries.d",
                                                    "import",
                                                    "output-prefix",
                                                    "passphrase-file",
                                                    "sign-by-sigstore-private-key",
                                                    "sign-passphrase-file",
                                                    "file",
                                                    "iidfile",
                                                    "cert",
                                                    "key",
                                                    "htpasswd",
                                                    "access-log"};
  return kFiles.contains(flag);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.starts_with(prefix);
}

// The store the command line names (--root), opened only when it exists: completing must not
// create a store.
std::unique_ptr<store::Store> open_existing_store(const std::vector<std::string>& words) {
  GlobalOptions options;
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "--root" && i + 1 < words.size()) options.root = words[i + 1];
    if (starts_with(words[i], "--root=")) options.root = words[i].substr(7);
  }
  Context ctx{options};
  std::string root = ctx.root();
  if (!std::filesystem::exists(std::filesystem::path(root) / "db.sqlite")) return nullptr;
  return std::make_unique<store::Store>(root);
}

bool is_hex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

// The shorter forms of a stored name a user types: alpine:3 for docker.io/library/alpine:3,
// app:1 for localhost/app:1.
std::vector<std::string> name_forms(const std::string& name) {
  std::vector<std::string> forms = {name};
  for (std::string_view prefix : {"docker.io/library/", "localhost/"}) {
    if (starts_with(name, prefix)) forms.push_back(name.substr(prefix.size()));
  }
  return forms;
}

void add_images(store::Store& store, const std::string& current, std::set<std::string>& out) {
  for (const auto& image : store.images()) {
    for (const auto& name : image.names) {
      for (auto& form : name_forms(name)) out.insert(std::move(form));
    }
    // IDs when the user started typing one, or when the image has no name to offer.
    if (image.names.empty() || is_hex(current)) out.insert(image.id.short_hex());
  }
}

void add_containers(store::Store& store, const std::string& current, std::set<std::string>& out) {
  for (const auto& c : store.containers()) {
    out.insert(c.name);
    if (is_hex(current)) out.insert(c.id.substr(0, 12));
  }
}

void add_lists(store::Store& store, std::set<std::string>& out) {
  for (const auto& list : store::lists(store)) {
    for (auto& form : name_forms(list.name)) out.insert(std::move(form));
  }
}

void add_artifacts(store::Store& store, std::set<std::string>& out) {
  for (const auto& a : store::artifacts(store)) {
    for (auto& form : name_forms(a.name)) out.insert(std::move(form));
  }
}

// Beyond f (files) and - (nothing), the argument kinds of schicht's specs: s a shell, i an
// image, c a container, l a manifest list, L a list or an image, o a container or an image, a
// an artifact.
Completions arguments(char kind, const std::vector<std::string>& words,
                      const std::string& current) {
  std::set<std::string> out;
  if (kind == 's') out = {"bash", "fish", "zsh"};
  if (kind == 'i' || kind == 'c' || kind == 'l' || kind == 'L' || kind == 'o' || kind == 'a') {
    auto store = open_existing_store(words);
    if (store == nullptr) return {};
    if (kind == 'i' || kind == 'L' || kind == 'o') add_images(*store, current, out);
    if (kind == 'c' || kind == 'o') add_containers(*store, current, out);
    if (kind == 'l' || kind == 'L') add_lists(*store, out);
    if (kind == 'a') add_artifacts(*store, out);
  }
  return Completions{{out.begin(), out.end()}, false};
}

Completions values_of(std::string_view command, std::string_view flag) {
  if (flag_takes_file(flag)) return Completions{{}, true};
  return Completions{flag_values(command, flag), false};
}

CommandFlags global_flags() {
  return CommandFlags{{}, global_flag_infos()};
}

}  // namespace

Completions complete(const std::vector<std::string>& words, const std::string& current) {
  const cmdline::CompletionSource<Context> source{
      .tree = {top_level_commands(), command_groups(), &nested_commands},
      .global_flags = &global_flags,
      .command_flags = &command_flags,
      .flag_values = &values_of,
      .arguments = &arguments};
  return cmdline::complete(source, words, current);
}

int cmd_complete(Context& /*ctx*/, CommandArgs args) {
  std::vector<std::string> words(args.begin(), args.end());
  std::string current;
  if (!words.empty()) {
    current = words.back();
    words.pop_back();
  }
  Completions out;
  // A completion must never print an error into the user's command line: a store that
  // cannot be read just offers nothing.
  ignore_error("shell completion offers nothing it cannot compute",
               [&] { out = complete(words, current); });
  fmt::print("{}", cmdline::completion_answer(out));
  return 0;
}

int cmd_completion(Context& /*ctx*/, CompletionOptions& parsed, Invocation& invocation) {
  auto& [file, no_desc] = parsed;
  auto& positional = invocation.positional;
  std::string script = cmdline::completion_script(positional[0], "schicht");
  if (file.empty() || file == "-") {
    fmt::print("{}", script);
  } else {
    write_file_atomic(file, script);
  }
  return 0;
}

int cmd_commands(Context& /*ctx*/, CommandArgs /*args*/) {
  for (const auto& p : all_command_paths()) {
    std::string_view summary = p.command->summary;
    if (!p.leading.empty()) {
      std::string group = p.path.substr(0, p.path.find(' '));
      std::string_view command = p.command->name;
      for (const auto& n : nested_commands(group, command)) {
        if (n.name == p.leading[0]) summary = n.summary;
      }
    }
    fmt::print("{}\t{}\t{}\n", p.path, p.canonical, summary);
  }
  return 0;
}

}  // namespace schicht::cli
