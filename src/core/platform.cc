#include "core/platform.h"

#include <sys/utsname.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <limits>
#include <tuple>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht {
namespace {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

bool is_specifier_component(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The value of the first /proc/cpuinfo line whose key equals `key` ignoring case, as c/image
// reads it: the text between the first and the second ':' with spaces trimmed.
std::string_view cpuinfo_field(std::string_view cpuinfo, std::string_view key) {
  std::string wanted = ascii_lower(key);
  while (!cpuinfo.empty()) {
    size_t newline = cpuinfo.find('\n');
    std::string_view line = cpuinfo.substr(0, newline);
    cpuinfo.remove_prefix(newline == std::string_view::npos ? cpuinfo.size() : newline + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (ascii_lower(trim(line.substr(0, colon))) != wanted) continue;
    std::string_view value = line.substr(colon + 1);
    return trim(value.substr(0, value.find(':')));
  }
  return {};
}

// The GOARCH of this build; empty where the compiler gives no clear answer.
std::string_view compiled_goarch() {
#if defined(__x86_64__) && !defined(__ILP32__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__arm__)
  return "arm";
#elif defined(__i386__)
  return "386";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
  return "ppc64le";
#elif defined(__powerpc64__)
  return "ppc64";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#elif defined(__loongarch64)
  return "loong64";
#else
  return {};
#endif
}

Platform detect_host() {
  Platform host;
  host.os = "linux";
  // GOARCH is the architecture of the binary, not of the kernel: a 32-bit arm build on an
  // arm64 kernel wants arm images. uname answers only when the build target is not known here.
  host.architecture = compiled_goarch();
  if (host.architecture.empty()) {
    utsname name{};
    if (uname(&name) == 0) host.architecture = goarch_from_machine(name.machine);
  }
  if (host.architecture == "arm" || host.architecture == "arm64") {
    std::ifstream in("/proc/cpuinfo");
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    host.variant = cpu_variant_from_cpuinfo(text, host.architecture);
  }
  return host;
}

// c/image's variant compatibility table, most capable first. Architectures without variants
// have no entry.
const std::vector<std::string>* compatible_variants(std::string_view architecture) {
  static const std::vector<std::string> kArm = {"v8", "v7", "v6", "v5"};
  static const std::vector<std::string> kArm64 = {"v8"};
  if (architecture == "arm") return &kArm;
  if (architecture == "arm64") return &kArm64;
  return nullptr;
}

}  // namespace

std::string Platform::str() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

Platform Platform::parse(std::string_view text) {
  if (text == "local") return host();
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) {
    fail(
        ErrorKind::kInvalidInput,
        fmt::format("invalid platform syntax for {:?} (use OS/ARCH[/VARIANT])", std::string(text)));
  }
  for (std::string_view part : parts) {
    if (!is_specifier_component(part)) {
      fail(ErrorKind::kInvalidInput,
           fmt::format("{:?} is an invalid component of {:?}: platform specifier component must "
                       "match \"^[A-Za-z0-9_-]+$\"",
                       std::string(part), std::string(text)));
    }
  }
  Platform out;
  out.os = parts[0];
  out.architecture = parts[1];
  if (parts.size() == 3) out.variant = parts[2];
  return out;
}

Platform Platform::host() {
  static const Platform kHost = detect_host();
  return kHost;
}

Platform Platform::normalize() const {
  Platform out = *this;
  out.os = ascii_lower(os);
  if (out.os == "macos") out.os = "darwin";
  std::string arch = ascii_lower(architecture);
  std::string var = ascii_lower(variant);
  if (arch == "i386") {
    arch = "386";
    var.clear();
  } else if (arch == "x86_64" || arch == "x86-64" || arch == "amd64") {
    arch = "amd64";
    if (var == "v1") var.clear();
  } else if (arch == "aarch64" || arch == "arm64") {
    arch = "arm64";
    if (var == "8" || var == "v8" || var == "v8.0") var = "v8";
    if (var == "9" || var == "9.0" || var == "v9.0") var = "v9";
  } else if (arch == "armhf") {
    arch = "arm";
    var = "v7";
  } else if (arch == "armel") {
    arch = "arm";
    var = "v6";
  } else if (arch == "arm") {
    if (var.empty() || var == "7") var = "v7";
    if (var == "5" || var == "6" || var == "8") var = "v" + var;
  }
  out.architecture = std::move(arch);
  out.variant = std::move(var);
  return out;
}

std::string goarch_from_machine(std::string_view machine) {
  std::string m = ascii_lower(machine);
  if (m == "x86_64" || m == "x86-64" || m == "amd64") return "amd64";
  if (m == "aarch64" || m == "arm64") return "arm64";
  if (m == "aarch64_be") return "arm64be";
  if (m.starts_with("arm")) return "arm";  // armv7l, armv6l, and armv8l: 32-bit on arm64
  if (m == "i386" || m == "i486" || m == "i586" || m == "i686") return "386";
  if (m == "loongarch64") return "loong64";
  return m;  // ppc64le, ppc64, s390x, riscv64, mips64, ... are spelled alike
}

std::string cpu_variant_from_cpuinfo(std::string_view cpuinfo, std::string_view architecture) {
  std::string value = ascii_lower(cpuinfo_field(cpuinfo, "Cpu architecture"));
  if (value.empty()) return "";
  // Raspberry Pi ARMv6 boards report architecture 7; their model name tells the truth. (A
  // return, not `value = "6"`, which GCC 12 at -O3 takes for a -Wrestrict violation.)
  if (architecture == "arm" && value == "7" &&
      ascii_lower(cpuinfo_field(cpuinfo, "model name")).starts_with("armv6-compatible")) {
    return "v6";
  }
  if (value == "8" || value == "aarch64") return "v8";
  if (value == "7" || value == "7m" || value == "?(12)" || value == "?(13)" || value == "?(14)" ||
      value == "?(15)" || value == "?(16)" || value == "?(17)") {
    return "v7";
  }
  if (value == "6" || value == "6tej") return "v6";
  if (value == "5" || value == "5t" || value == "5te" || value == "5tej") return "v5";
  if (value == "4" || value == "4t") return "v4";
  if (value == "3") return "v3";
  return "unknown";
}

std::vector<Platform> candidate_platforms(const Platform& wanted) {
  std::vector<std::string> variants;
  const std::vector<std::string>* table = compatible_variants(wanted.architecture);
  if (!wanted.variant.empty()) {
    auto known = table ? std::find(table->begin(), table->end(), wanted.variant)
                       : std::vector<std::string>::const_iterator();
    if (table && known != table->end()) {
      variants.assign(known, table->end());
    } else {
      variants.push_back(wanted.variant);
    }
    variants.emplace_back();
  } else {
    variants.emplace_back();
    if (table) variants.insert(variants.end(), table->begin(), table->end());
  }

  std::vector<Platform> out;
  out.reserve(variants.size());
  for (std::string& v : variants) {
    Platform p;
    p.os = wanted.os;
    p.architecture = wanted.architecture;
    p.variant = std::move(v);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<Platform> wanted_platforms(const PlatformChoice& choice, const Platform& host) {
  Platform wanted;
  wanted.os = choice.os.empty() ? host.os : choice.os;
  wanted.architecture = choice.architecture.empty() ? host.architecture : choice.architecture;
  wanted.variant = choice.variant;
  // A chosen architecture may differ from the host's, so the host's variant says nothing
  // about it; and a detected variant could not be overridden back to "" afterwards.
  if (wanted.variant.empty() && choice.architecture.empty()) wanted.variant = host.variant;
  return candidate_platforms(wanted);
}

bool platform_matches(const Platform& entry, const Platform& candidate) {
  return entry.os == candidate.os && entry.architecture == candidate.architecture &&
         entry.variant == candidate.variant;
}

std::optional<size_t> choose_platform(const std::vector<std::optional<Platform>>& entries,
                                      const std::vector<Platform>& wanted,
                                      const std::vector<bool>& preferred) {
  // Lower is better: (candidate rank, not preferred); the position breaks ties by only ever
  // replacing the best with a strictly better later entry.
  std::optional<size_t> best;
  std::tuple<size_t, bool> best_key;
  for (size_t i = 0; i < entries.size(); ++i) {
    size_t rank = std::numeric_limits<size_t>::max();
    if (entries[i]) {
      auto it = std::find_if(wanted.begin(), wanted.end(), [&](const Platform& candidate) {
        return platform_matches(*entries[i], candidate);
      });
      if (it == wanted.end()) continue;
      rank = static_cast<size_t>(it - wanted.begin());
    }
    bool is_preferred = i < preferred.size() && preferred[i];
    std::tuple<size_t, bool> key{rank, !is_preferred};
    if (!best || key < best_key) {
      best = i;
      best_key = key;
    }
  }
  return best;
}

std::optional<size_t> choose_platform(const Platform& wanted,
                                      const std::vector<std::optional<Platform>>& entries) {
  return choose_platform(entries, candidate_platforms(wanted));
}

}  // namespace schicht
