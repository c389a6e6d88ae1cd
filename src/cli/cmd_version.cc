// version: podman's version report, for a client with no service.
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/render.h"
#include "cli/version_report.h"
#include "core/error.h"
#include "core/platform.h"
#include "gotemplate/template.h"

namespace schicht::cli {

using nlohmann::ordered_json;

ordered_json version_report() {
  Platform host = Platform::host();
  ordered_json v;
  v["APIVersion"] = SCHICHT_VERSION;
  v["Version"] = SCHICHT_VERSION;
  v["OsArch"] = host.os + "/" + host.architecture;
  v["Os"] = host.os;
  return v;
}

namespace {

// Every `from` in `text` replaced by `to`.
std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  for (size_t at = text.find(from); at != std::string_view::npos; at = text.find(from)) {
    out.append(text.substr(0, at)).append(to);
    text.remove_prefix(at + from.size());
  }
  return out.append(text);
}

// podman runs the template over {Client, Server}; when that fails it assumes a template written
// for an older podman, drops ".Server." and runs it over the client alone. What the first run
// printed before failing stays printed, as in podman.
void print_template(const std::string& format, const ordered_json& client) {
  ordered_json report;
  report["Client"] = client;
  report["Server"] = nullptr;
  static const GoTypes kReportTypes = {{"", "*entities.SystemVersionReport"},
                                       {"Client", "*define.Version"},
                                       {"Server", "*define.Version"}};
  static const GoTypes kClientTypes = {{"", "*define.Version"}};
  std::string out;
  try {
    parse_object_format(format, "version").execute(out, report, kReportTypes);
  } catch (const Error&) {
    Template tmpl = parse_object_format(replace_all(format, ".Server.", "."), "version");
    try {
      tmpl.execute(out, client, kClientTypes);
    } catch (const Error&) {
      fmt::print("{}", out);
      throw;
    }
  }
  fmt::print("{}", out);
}

}  // namespace

int cmd_version(Context& /*ctx*/, VersionOptions& parsed, Invocation& invocation) {
  auto& [format] = parsed;
  auto& positional = invocation.positional;
  if (!positional.empty()) fail(ErrorKind::kInvalidInput, "`schicht version` takes no arguments");
  ordered_json client = version_report();
  if (is_json_format(format)) {
    ordered_json report;
    report["Client"] = client;
    fmt::print("{}\n", report.dump());
    return 0;
  }
  if (!format.empty()) {
    print_template(format, client);
    return 0;
  }
  fmt::print("{:<14}{}\n", "Client:", "schicht");
  fmt::print("{:<14}{}\n", "Version:", client["Version"].get<std::string>());
  fmt::print("{:<14}{}\n", "API Version:", client["APIVersion"].get<std::string>());
  fmt::print("{:<14}{}\n", "OS/Arch:", client["OsArch"].get<std::string>());
  return 0;
}

}  // namespace schicht::cli
