// Platforms (os/architecture/variant) of images and of this machine, and how they match.
//
// Matching follows containers/image (what podman does), not containerd: the wanted platform
// expands into an ordered list of exact os/arch/variant candidates and an image entry ranks by
// the first candidate it equals. Normalization of user input follows containerd/platforms as
// podman's libimage applies it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schicht {

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;
  std::string os_version;
  std::vector<std::string> os_features;

  // "os/arch[/variant]"
  std::string str() const;
  bool operator==(const Platform&) const = default;

  // "os/arch[/variant]" as podman's --platform takes it, each part [A-Za-z0-9_-]+; "local" is
  // this machine. Not normalized: call normalize() for that.
  static Platform parse(std::string_view text);

  // This machine as a Go program would see it: os "linux", the GOARCH name of the architecture
  // schicht was built for, and for arm/arm64 the variant read from /proc/cpuinfo.
  static Platform host();

  // containerd's normalization of user-given names, as libimage applies it to --os/--arch/
  // --variant: everything lowercase; macos -> darwin; i386 -> 386 (no variant); x86_64, x86-64
  // -> amd64 (v1 dropped); aarch64 -> arm64; armhf -> arm/v7; armel -> arm/v6; arm with no
  // variant -> v7; bare variant digits get their "v". One deliberate difference from plain
  // containerd: an explicit arm64 variant 8/v8/v8.0 stays "v8" rather than being dropped,
  // because podman keeps it and c/image's candidate list ranks arm64/v8 above arm64 without a
  // variant. Empty fields stay empty.
  [[nodiscard]] Platform normalize() const;
};

// The --os/--arch/--variant a user gave; an empty field was not given.
struct PlatformChoice {
  std::string os;
  std::string architecture;
  std::string variant;
};

// The architecture name Go uses (GOARCH) for a uname machine string: x86_64 -> amd64,
// aarch64 -> arm64, armv7l -> arm, i686 -> 386, ... Unknown names pass through.
std::string goarch_from_machine(std::string_view machine);

// c/image's CPU variant detection from the text of /proc/cpuinfo for arm and arm64: the
// "CPU architecture" field (8/AArch64 -> v8, 7 -> v7 or v6 on an ARMv6-compatible model under
// arm, 6/6TEJ -> v6, 5* -> v5, 4/4T -> v4, 3 -> v3, anything else "unknown"); "" without it.
std::string cpu_variant_from_cpuinfo(std::string_view cpuinfo, std::string_view architecture);

// c/image's WantedPlatforms for a wanted platform whose os, architecture and variant are all
// settled: the ordered candidates an image entry must equal exactly (os.version and os.features
// are ignored). Variants, by c/image's table (arm: v8,v7,v6,v5; arm64: v8):
//   - a variant in the table: from it downwards, then "" (arm/v7 -> v7, v6, v5, "");
//   - a variant not in the table: just it, then "";
//   - no variant: "" first, then the whole table for the architecture.
// amd64 has no table entry, so amd64/v2 or v3 entries match only when asked for exactly.
std::vector<Platform> candidate_platforms(const Platform& wanted);

// The candidates for what the user chose: unset fields come from `host`, and the host's
// (detected) variant is used only when the architecture was not chosen, as c/image does.
std::vector<Platform> wanted_platforms(const PlatformChoice& choice, const Platform& host);
inline std::vector<Platform> wanted_platforms(const PlatformChoice& choice) {
  return wanted_platforms(choice, Platform::host());
}

// True when an entry's os, architecture and variant all equal the candidate's.
bool platform_matches(const Platform& entry, const Platform& candidate);

// The index of the entry to use from an image index or manifest list, or nullopt if none fits.
// An entry ranks by the position of the first candidate it matches; an entry without a platform
// fits with the lowest rank; an entry with a platform matching no candidate is skipped. Ties go
// to entries with `preferred[i]` set (c/image prefers zstd instances unless gzip was asked for;
// leave `preferred` empty for none), then to the earlier entry. For a Docker manifest list,
// whose entries all carry platforms, this is the same as c/image's first-match-per-candidate.
std::optional<size_t> choose_platform(const std::vector<std::optional<Platform>>& entries,
                                      const std::vector<Platform>& wanted,
                                      const std::vector<bool>& preferred = {});

// Shorthand: the best entry for candidate_platforms(wanted), e.g. for Platform::host().
std::optional<size_t> choose_platform(const Platform& wanted,
                                      const std::vector<std::optional<Platform>>& entries);

}  // namespace schicht
