#include "builder/emulation.h"

#include <map>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::builder {

std::string qemu_binfmt_name(std::string_view architecture) {
  static const std::map<std::string, std::string, std::less<>> kQemu = {
      {"386", "i386"},           {"amd64", "x86_64"},    {"arm", "arm"},
      {"arm64", "aarch64"},      {"ppc64", "ppc64"},     {"ppc64le", "ppc64le"},
      {"s390x", "s390x"},        {"riscv64", "riscv64"}, {"mips", "mips"},
      {"mipsle", "mipsel"},      {"mips64", "mips64"},   {"mips64le", "mips64el"},
      {"loong64", "loongarch64"}};
  auto found = kQemu.find(architecture);
  return found == kQemu.end() ? std::string() : "qemu-" + found->second;
}

namespace {

bool native(const Platform& platform, const Platform& host) {
  if (platform.os != "linux") return false;
  if (platform.architecture == host.architecture) return true;
  return platform.architecture == "386" && host.architecture == "amd64";
}

// "enabled" on the first line and "F" among the flags.
bool usable_entry(const std::string& text) {
  if (!text.starts_with("enabled")) return false;
  size_t flags = text.find("\nflags:");
  if (flags == std::string::npos) return false;
  size_t end = text.find('\n', flags + 1);
  std::string_view line = std::string_view(text).substr(flags + 7, end - flags - 7);
  return line.find('F') != std::string_view::npos;
}

}  // namespace

void require_runnable(const Platform& platform, const Platform& host, const fs::path& binfmt_dir) {
  if (native(platform, host)) return;
  std::string what =
      fmt::format("cannot run programs for {} on this {} machine", platform.str(), host.str());
  if (platform.os != "linux") fail(ErrorKind::kUnsupported, what + ": RUN needs a linux image");
  std::string emulator = qemu_binfmt_name(platform.architecture);
  if (emulator.empty()) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{}: qemu has no user-mode emulator for {}", what, platform.architecture));
  }
  fs::path entry = binfmt_dir / emulator;
  std::string text;
  std::error_code ec;
  if (fs::is_regular_file(entry, ec)) {
    ignore_error("an unreadable binfmt_misc entry counts as no emulator",
                 [&] { text = read_file(entry); });
  }
  if (usable_entry(text)) return;
  if (text.starts_with("enabled")) {
    fail(ErrorKind::kUnsupported,
         fmt::format("{}: the emulator {} is registered in {} without the F (fix binary) flag, "
                     "so it cannot run inside a build's root filesystem",
                     what, emulator, binfmt_dir.string()));
  }
  fail(ErrorKind::kUnsupported,
       fmt::format("{}: no emulator {} is registered in {} (install qemu-user-static, or build "
                   "without RUN steps)",
                   what, emulator, binfmt_dir.string()));
}

}  // namespace schicht::builder
