#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>

#include <fmt/format.h>

#include "builder/step.h"
#include "core/error.h"

namespace schicht::builder {
namespace {

void set_env(ContainerConfig& config, const std::string& key, const std::string& value) {
  std::string entry = key + "=" + value;
  auto it = std::find_if(config.env.begin(), config.env.end(),
                         [&](const std::string& e) { return e.rfind(key + "=", 0) == 0; });
  if (it != config.env.end()) {
    *it = entry;
  } else {
    config.env.push_back(entry);
  }
}

// CMD, ENTRYPOINT: the exec form as given, the shell form as /bin/sh -c (buildah 1.28 does
// not use SHELL for these).
std::vector<std::string> command_of(const Instruction& ins) {
  if (ins.exec_form) return *ins.exec_form;
  return {"/bin/sh", "-c", ins.args};
}

std::string keyword_and_rest(const Instruction& ins) {
  // The instruction as written, with the keyword in upper case, as buildah records it.
  size_t end = ins.original.find_first_of(" \t");
  if (end == std::string::npos) return ins.keyword;
  return ins.keyword + ins.original.substr(end);
}

std::vector<std::string> words_or_json(const Instruction& ins, const Variables& vars, char escape) {
  if (ins.exec_form) {
    std::vector<std::string> out;
    for (const auto& w : *ins.exec_form) out.push_back(process_word(w, vars, escape));
    return out;
  }
  return process_words(ins.args, vars, escape);
}

// Go's time.ParseDuration for the units HEALTHCHECK takes: "30s", "1m30s", "500ms".
int64_t parse_duration(const std::string& flag, const std::string& text) {
  int64_t total = 0;
  size_t i = 0;
  auto bad = [&] {
    fail(ErrorKind::kInvalidInput, fmt::format("invalid duration {:?} for --{}", text, flag));
  };
  if (text.empty()) bad();
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (start == i) bad();
    double number = 0;
    if (auto [end, error] = std::from_chars(text.data() + start, text.data() + i, number);
        error != std::errc() || end != text.data() + i) {
      bad();
    }
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    double scale = unit == "ns"                   ? 1
                   : unit == "us" || unit == "µs" ? 1e3
                   : unit == "ms"                 ? 1e6
                   : unit == "s"                  ? 1e9
                   : unit == "m"                  ? 60e9
                   : unit == "h"                  ? 3600e9
                                                  : 0;
    if (scale == 0) bad();
    // Go's durations are int64 nanoseconds; a longer one is invalid, as in Go.
    double nanoseconds = number * scale;
    if (!(nanoseconds < 9.2e18) || static_cast<int64_t>(nanoseconds) > INT64_MAX - total) bad();
    total += static_cast<int64_t>(nanoseconds);
  }
  return total;
}

Healthcheck parse_healthcheck(const Instruction& ins) {
  Healthcheck h;
  std::string rest = ins.args;
  std::string word = rest.substr(0, rest.find_first_of(" \t"));
  for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (word == "NONE") {
    h.test = {"NONE"};
    return h;
  }
  if (word != "CMD") {
    fail(ErrorKind::kInvalidInput, "HEALTHCHECK requires NONE or CMD followed by a command");
  }
  std::string command = rest.size() > 3 ? rest.substr(4) : "";
  while (!command.empty() && (command.front() == ' ' || command.front() == '\t'))
    command.erase(0, 1);
  if (command.empty()) fail(ErrorKind::kInvalidInput, "Missing command after HEALTHCHECK CMD");
  if (auto exec = nlohmann::json::accept(command)
                      ? std::optional<nlohmann::json>(nlohmann::json::parse(command))
                      : std::nullopt;
      exec && exec->is_array()) {
    h.test = {"CMD"};
    for (const auto& item : *exec)
      h.test.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  } else {
    h.test = {"CMD-SHELL", command};
  }
  if (auto v = ins.flag("interval")) h.interval = parse_duration("interval", *v);
  if (auto v = ins.flag("timeout")) h.timeout = parse_duration("timeout", *v);
  if (auto v = ins.flag("start-period")) h.start_period = parse_duration("start-period", *v);
  if (auto v = ins.flag("retries")) {
    try {
      h.retries = std::stoll(*v);
    } catch (const std::exception&) {
      fail(ErrorKind::kInvalidInput, fmt::format("invalid --retries {:?}", *v));
    }
  }
  return h;
}

}  // namespace

Variables StageContext::variables() const {
  Variables vars;
  for (const auto& [k, v] : args) vars[k] = v;
  for (const auto& e : state.config.config.env) {
    size_t eq = e.find('=');
    if (eq != std::string::npos) vars[e.substr(0, eq)] = e.substr(eq + 1);
  }
  return vars;
}

std::string apply_metadata(StageContext& ctx, const Instruction& ins, const BuildOptions& options,
                           const std::map<std::string, std::string>& global_args) {
  ContainerConfig& config = ctx.state.config.config;
  char escape = ctx.file->escape;
  Variables vars = ctx.variables();
  const std::string& kw = ins.keyword;
  auto need_args = [&] {
    if (ins.args.empty())
      fail(ErrorKind::kInvalidInput, fmt::format("{} requires at least one argument", kw));
  };
  if (kw == "ENV") {
    for (auto& [k, v] : key_values(ins.args, vars, escape, "ENV")) set_env(config, k, v);
    return keyword_and_rest(ins);
  }
  if (kw == "LABEL") {
    for (auto& [k, v] : key_values(ins.args, vars, escape, "LABEL")) config.labels[k] = v;
    return keyword_and_rest(ins);
  }
  if (kw == "ARG") {
    need_args();
    std::vector<std::string> names;
    for (const auto& word : process_words(ins.args, vars, escape)) {
      size_t eq = word.find('=');
      std::string name = word.substr(0, eq);
      std::optional<std::string> value;
      if (auto it = options.build_args.find(name); it != options.build_args.end()) {
        value = it->second;
      } else if (eq != std::string::npos) {
        value = word.substr(eq + 1);
      } else if (auto g = global_args.find(name); g != global_args.end()) {
        value = g->second;
      }
      names.push_back(name);
      std::erase_if(ctx.args, [&](const auto& a) { return a.first == name; });
      if (value) ctx.args.emplace_back(name, *value);
    }
    std::string text = "ARG";
    for (const auto& n : names) text += " " + n;
    return text;
  }
  if (kw == "WORKDIR") {
    need_args();
    std::string dir = process_word(ins.args, vars, escape);
    if (dir.front() != '/') {
      std::string base = config.working_dir.empty() ? "/" : config.working_dir;
      dir = (base.back() == '/' ? base : base + "/") + dir;
    }
    config.working_dir = fs::path(dir).lexically_normal().string();
    if (config.working_dir.size() > 1 && config.working_dir.back() == '/')
      config.working_dir.pop_back();
    return keyword_and_rest(ins);
  }
  if (kw == "USER") {
    need_args();
    config.user = process_word(ins.args, vars, escape);
    return keyword_and_rest(ins);
  }
  if (kw == "EXPOSE") {
    need_args();
    for (auto port : process_words(ins.args, vars, escape)) {
      if (port.find('/') == std::string::npos) port += "/tcp";
      if (std::find(config.exposed_ports.begin(), config.exposed_ports.end(), port) ==
          config.exposed_ports.end()) {
        config.exposed_ports.push_back(port);
      }
    }
    std::sort(config.exposed_ports.begin(), config.exposed_ports.end());
    return keyword_and_rest(ins);
  }
  if (kw == "VOLUME") {
    need_args();
    for (const auto& v : words_or_json(ins, vars, escape)) {
      if (v.empty()) fail(ErrorKind::kInvalidInput, "VOLUME specified can not be an empty string");
      if (std::find(config.volumes.begin(), config.volumes.end(), v) == config.volumes.end()) {
        config.volumes.push_back(v);
      }
    }
    std::sort(config.volumes.begin(), config.volumes.end());
    return keyword_and_rest(ins);
  }
  if (kw == "STOPSIGNAL") {
    need_args();
    config.stop_signal = process_word(ins.args, vars, escape);
    return keyword_and_rest(ins);
  }
  if (kw == "CMD") {
    config.cmd = command_of(ins);
    ctx.cmd_set = true;
    return keyword_and_rest(ins);
  }
  if (kw == "ENTRYPOINT") {
    config.entrypoint = command_of(ins);
    // A new entrypoint drops a CMD inherited from the base image, not one set in this stage.
    if (!ctx.cmd_set) config.cmd.reset();
    return keyword_and_rest(ins);
  }
  if (kw == "SHELL") {
    if (!ins.exec_form || ins.exec_form->empty()) {
      fail(ErrorKind::kInvalidInput, "SHELL requires the arguments to be in JSON form");
    }
    ctx.shell = *ins.exec_form;
    if (options.docker_format) {
      config.shell = ctx.shell;
    } else if (options.warn) {
      options.warn(
          fmt::format("SHELL is not supported for OCI image format, [{}] will be ignored. "
                      "Must use `docker` format",
                      fmt::join(ctx.shell, " ")));
    }
    return keyword_and_rest(ins);
  }
  if (kw == "HEALTHCHECK") {
    if (options.docker_format) {
      config.healthcheck = parse_healthcheck(ins);
    } else if (options.warn) {
      options.warn(
          "HEALTHCHECK is not supported for OCI image format and will be ignored. Must "
          "use `docker` format");
    }
    return keyword_and_rest(ins);
  }
  if (kw == "ONBUILD") {
    need_args();
    std::string trigger_keyword = ins.args.substr(0, ins.args.find_first_of(" \t"));
    for (auto& c : trigger_keyword)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (trigger_keyword == "ONBUILD" || trigger_keyword == "FROM" ||
        trigger_keyword == "MAINTAINER") {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{} isn't allowed as an ONBUILD trigger", trigger_keyword));
    }
    if (options.docker_format) {
      config.on_build.push_back(ins.args);
    } else if (options.warn) {
      options.warn(
          fmt::format("ONBUILD is not supported for OCI image format, {} will be "
                      "ignored. Must use `docker` format",
                      ins.args));
    }
    return keyword_and_rest(ins);
  }
  if (kw == "MAINTAINER") {
    need_args();
    ctx.state.config.author = process_word(ins.args, vars, escape);
    return keyword_and_rest(ins);
  }
  fail(ErrorKind::kInternal, fmt::format("{} is not a metadata instruction", kw));
}

}  // namespace schicht::builder
