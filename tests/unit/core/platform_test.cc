#include "core/platform.h"

#include <sys/utsname.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "error_of.h"

namespace schicht {
namespace {

Platform make(std::string os, std::string arch, std::string variant = "") {
  Platform p;
  p.os = std::move(os);
  p.architecture = std::move(arch);
  p.variant = std::move(variant);
  return p;
}

std::vector<std::string> strs(const std::vector<Platform>& platforms) {
  std::vector<std::string> out;
  for (const Platform& p : platforms) out.push_back(p.str());
  return out;
}

TEST(PlatformTest, ParsesSpecifiers) {
  Platform p = Platform::parse("linux/arm64/v8");
  EXPECT_EQ(p.os, "linux");
  EXPECT_EQ(p.architecture, "arm64");
  EXPECT_EQ(p.variant, "v8");
  EXPECT_EQ(p.str(), "linux/arm64/v8");

  p = Platform::parse("linux/amd64");
  EXPECT_EQ(p, make("linux", "amd64"));
  EXPECT_EQ(p.str(), "linux/amd64");

  // Parsing does not normalize.
  EXPECT_EQ(Platform::parse("Linux/x86_64"), make("Linux", "x86_64"));
  EXPECT_EQ(Platform::parse("local"), Platform::host());
}

TEST(PlatformTest, RejectsBadSpecifiers) {
  for (const char* text : {"linux", "", "a/b/c/d", "linux/arm/v7/x"}) {
    EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { Platform::parse(text); }),
              "invalid platform syntax for \"" + std::string(text) + "\" (use OS/ARCH[/VARIANT])")
        << text;
  }
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { Platform::parse("linux//v7"); }),
            "\"\" is an invalid component of \"linux//v7\": platform specifier component must "
            "match \"^[A-Za-z0-9_-]+$\"");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { Platform::parse("linux/amd 64"); }),
            "\"amd 64\" is an invalid component of \"linux/amd 64\": platform specifier "
            "component must match \"^[A-Za-z0-9_-]+$\"");
  for (const char* text : {"/amd64", "linux/amd64/", "linux/", "linux/arm/v8.0"}) {
    EXPECT_FALSE(error_of(ErrorKind::kInvalidInput, [&] { Platform::parse(text); }).empty())
        << text;
  }
}

TEST(PlatformTest, NormalizesLikeContainerd) {
  struct Case {
    std::string arch, variant, want_arch, want_variant;
  };
  for (const Case& c : std::vector<Case>{
           {"x86_64", "", "amd64", ""},
           {"x86-64", "", "amd64", ""},
           {"AMD64", "", "amd64", ""},
           {"amd64", "v1", "amd64", ""},
           {"amd64", "v3", "amd64", "v3"},
           {"i386", "", "386", ""},
           {"i386", "v7", "386", ""},
           {"aarch64", "", "arm64", ""},
           {"arm64", "", "arm64", ""},
           // Kept, as podman keeps it: c/image ranks arm64/v8 above a variant-less arm64.
           {"arm64", "v8", "arm64", "v8"},
           {"aarch64", "8", "arm64", "v8"},
           {"arm64", "v8.0", "arm64", "v8"},
           {"arm64", "v8.2", "arm64", "v8.2"},
           {"arm64", "9", "arm64", "v9"},
           {"armhf", "", "arm", "v7"},
           {"armel", "", "arm", "v6"},
           {"arm", "", "arm", "v7"},
           {"arm", "7", "arm", "v7"},
           {"arm", "6", "arm", "v6"},
           {"arm", "5", "arm", "v5"},
           {"arm", "8", "arm", "v8"},
           {"arm", "v6", "arm", "v6"},
           {"ARM", "V6", "arm", "v6"},
           {"ppc64le", "", "ppc64le", ""},
           {"s390x", "", "s390x", ""},
           {"", "", "", ""},
       }) {
    SCOPED_TRACE(c.arch + "/" + c.variant);
    Platform p = make("linux", c.arch, c.variant).normalize();
    EXPECT_EQ(p.architecture, c.want_arch);
    EXPECT_EQ(p.variant, c.want_variant);
  }
  EXPECT_EQ(make("MacOS", "arm64").normalize().os, "darwin");
  EXPECT_EQ(make("Linux", "amd64").normalize().os, "linux");
  EXPECT_EQ(make("", "").normalize().os, "");

  Platform with_extras = make("windows", "amd64");
  with_extras.os_version = "10.0.20348.1";
  with_extras.os_features = {"win32k"};
  EXPECT_EQ(with_extras.normalize(), with_extras);
}

TEST(PlatformTest, GoArchNames) {
  struct Case {
    std::string machine, goarch;
  };
  for (const Case& c : std::vector<Case>{
           {"x86_64", "amd64"},
           {"aarch64", "arm64"},
           {"armv7l", "arm"},
           {"armv6l", "arm"},
           {"armv8l", "arm"},
           {"i686", "386"},
           {"i386", "386"},
           {"ppc64le", "ppc64le"},
           {"s390x", "s390x"},
           {"riscv64", "riscv64"},
           {"loongarch64", "loong64"},
       }) {
    EXPECT_EQ(goarch_from_machine(c.machine), c.goarch) << c.machine;
  }
}

TEST(PlatformTest, CpuVariants) {
  const std::string arm64_cpuinfo =
      "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm\n"
      "CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\n";
  EXPECT_EQ(cpu_variant_from_cpuinfo(arm64_cpuinfo, "arm64"), "v8");

  const std::string pi_zero =
      "processor\t: 0\nmodel name\t: ARMv6-compatible processor rev 7 (v6l)\n"
      "CPU architecture: 7\nHardware\t: BCM2835\n";
  EXPECT_EQ(cpu_variant_from_cpuinfo(pi_zero, "arm"), "v6");
  // The Raspberry Pi correction applies to arm builds only.
  EXPECT_EQ(cpu_variant_from_cpuinfo(pi_zero, "arm64"), "v7");

  struct Case {
    std::string value, variant;
  };
  for (const Case& c : std::vector<Case>{
           {"8", "v8"},
           {"AArch64", "v8"},
           {"7", "v7"},
           {"7M", "v7"},
           {"?(12)", "v7"},
           {"6", "v6"},
           {"6TEJ", "v6"},
           {"5", "v5"},
           {"5TE", "v5"},
           {"5TEJ", "v5"},
           {"4T", "v4"},
           {"3", "v3"},
           {"9", "unknown"},
       }) {
    EXPECT_EQ(cpu_variant_from_cpuinfo("Cpu Architecture :  " + c.value + "  \n", "arm"), c.variant)
        << c.value;
  }
  EXPECT_EQ(cpu_variant_from_cpuinfo("processor\t: 0\nmodel name\t: AMD EPYC\n", "arm"), "");
  EXPECT_EQ(cpu_variant_from_cpuinfo("", "arm64"), "");
}

TEST(PlatformTest, HostIsThisMachine) {
  Platform host = Platform::host();
  EXPECT_EQ(host.os, "linux");
  ASSERT_FALSE(host.architecture.empty());
  utsname name{};
  ASSERT_EQ(uname(&name), 0);
  // The unit tests are built for the machine they run on.
  EXPECT_EQ(host.architecture, goarch_from_machine(name.machine));
  if (host.architecture != "arm" && host.architecture != "arm64") {
    EXPECT_EQ(host.variant, "");
  }
}

TEST(PlatformTest, CandidateVariants) {
  struct Case {
    Platform wanted;
    std::vector<std::string> candidates;
  };
  for (const Case& c : std::vector<Case>{
           {make("linux", "arm", "v7"),
            {"linux/arm/v7", "linux/arm/v6", "linux/arm/v5", "linux/arm"}},
           {make("linux", "arm", "v8"),
            {"linux/arm/v8", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5", "linux/arm"}},
           {make("linux", "arm", "v5"), {"linux/arm/v5", "linux/arm"}},
           {make("linux", "arm"),
            {"linux/arm", "linux/arm/v8", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5"}},
           {make("linux", "arm64", "v8"), {"linux/arm64/v8", "linux/arm64"}},
           {make("linux", "arm64"), {"linux/arm64", "linux/arm64/v8"}},
           {make("linux", "amd64"), {"linux/amd64"}},
           {make("linux", "amd64", "v3"), {"linux/amd64/v3", "linux/amd64"}},
           {make("linux", "arm", "v9"), {"linux/arm/v9", "linux/arm"}},
           {make("linux", "arm64", "unknown"), {"linux/arm64/unknown", "linux/arm64"}},
           {make("windows", "amd64"), {"windows/amd64"}},
       }) {
    SCOPED_TRACE(c.wanted.str());
    EXPECT_EQ(strs(candidate_platforms(c.wanted)), c.candidates);
  }
}

TEST(PlatformTest, WantedPlatformsFromChoices) {
  Platform arm64_host = make("linux", "arm64", "v8");
  EXPECT_EQ(strs(wanted_platforms({}, arm64_host)),
            (std::vector<std::string>{"linux/arm64/v8", "linux/arm64"}));
  // Choosing the architecture, even the host's own, drops the detected variant.
  EXPECT_EQ(strs(wanted_platforms({"", "arm64", ""}, arm64_host)),
            (std::vector<std::string>{"linux/arm64", "linux/arm64/v8"}));
  EXPECT_EQ(strs(wanted_platforms({"", "arm", "v6"}, arm64_host)),
            (std::vector<std::string>{"linux/arm/v6", "linux/arm/v5", "linux/arm"}));
  // A variant alone overrides the detected one.
  Platform arm_host = make("linux", "arm", "v8");
  EXPECT_EQ(
      strs(wanted_platforms({"", "", "v7"}, arm_host)),
      (std::vector<std::string>{"linux/arm/v7", "linux/arm/v6", "linux/arm/v5", "linux/arm"}));
  EXPECT_EQ(strs(wanted_platforms({"windows", "", ""}, make("linux", "amd64"))),
            (std::vector<std::string>{"windows/amd64"}));
  EXPECT_EQ(wanted_platforms({}), candidate_platforms(Platform::host()));
}

TEST(PlatformTest, ChoosesTheBestEntry) {
  using Entries = std::vector<std::optional<Platform>>;
  Entries multi = {make("linux", "amd64"), make("linux", "arm64", "v8"), make("linux", "arm", "v7"),
                   make("linux", "arm", "v6"), make("linux", "s390x")};
  EXPECT_EQ(choose_platform(multi, candidate_platforms(make("linux", "amd64"))), 0u);
  EXPECT_EQ(choose_platform(multi, candidate_platforms(make("linux", "arm64", "v8"))), 1u);
  EXPECT_EQ(choose_platform(multi, candidate_platforms(make("linux", "arm", "v7"))), 2u);
  EXPECT_EQ(choose_platform(multi, candidate_platforms(make("linux", "arm", "v6"))), 3u);
  // arm/v5 has nothing at or below v5 but the variant-less entry, which is not there.
  EXPECT_EQ(choose_platform(multi, candidate_platforms(make("linux", "arm", "v5"))), std::nullopt);
  EXPECT_EQ(choose_platform(multi, candidate_platforms(make("linux", "ppc64le"))), std::nullopt);
  EXPECT_EQ(choose_platform(multi, candidate_platforms(make("windows", "amd64"))), std::nullopt);

  // The rank of the first matching candidate decides, not the position.
  Entries arm64s = {make("linux", "arm64"), make("linux", "arm64", "v8")};
  EXPECT_EQ(choose_platform(arm64s, candidate_platforms(make("linux", "arm64", "v8"))), 1u);
  EXPECT_EQ(choose_platform(arm64s, candidate_platforms(make("linux", "arm64"))), 0u);
  Entries arms = {make("linux", "arm", "v5"), make("linux", "arm"), make("linux", "arm", "v6")};
  EXPECT_EQ(choose_platform(arms, candidate_platforms(make("linux", "arm", "v7"))), 2u);

  // amd64 microarchitecture levels match only when asked for.
  Entries levels = {make("linux", "amd64", "v3"), make("linux", "amd64")};
  EXPECT_EQ(choose_platform(levels, candidate_platforms(make("linux", "amd64"))), 1u);
  EXPECT_EQ(choose_platform(levels, candidate_platforms(make("linux", "amd64", "v3"))), 0u);

  // os.version and os.features are ignored.
  Platform windows = make("windows", "amd64");
  windows.os_version = "10.0.17763.1";
  windows.os_features = {"win32k"};
  EXPECT_EQ(choose_platform(Entries{windows}, candidate_platforms(make("windows", "amd64"))), 0u);
}

TEST(PlatformTest, EntriesWithoutPlatformRankLast) {
  using Entries = std::vector<std::optional<Platform>>;
  std::vector<Platform> amd64 = candidate_platforms(make("linux", "amd64"));
  EXPECT_EQ(choose_platform(Entries{std::nullopt, make("linux", "amd64")}, amd64), 1u);
  EXPECT_EQ(choose_platform(Entries{std::nullopt, make("linux", "s390x")}, amd64), 0u);
  EXPECT_EQ(choose_platform(Entries{make("linux", "s390x"), std::nullopt, std::nullopt}, amd64),
            1u);
  EXPECT_EQ(choose_platform(Entries{}, amd64), std::nullopt);
  EXPECT_EQ(choose_platform(Entries{make("linux", "s390x")}, amd64), std::nullopt);
}

TEST(PlatformTest, TiesGoToPreferredThenEarlier) {
  using Entries = std::vector<std::optional<Platform>>;
  std::vector<Platform> amd64 = candidate_platforms(make("linux", "amd64"));
  Entries twins = {make("linux", "amd64"), make("linux", "amd64"), make("linux", "amd64")};
  EXPECT_EQ(choose_platform(twins, amd64), 0u);
  EXPECT_EQ(choose_platform(twins, amd64, {false, true, true}), 1u);
  EXPECT_EQ(choose_platform(twins, amd64, {false, false}), 0u);
  // A preference never beats a better platform rank.
  std::vector<Platform> arm64 = candidate_platforms(make("linux", "arm64", "v8"));
  Entries mixed = {make("linux", "arm64", "v8"), make("linux", "arm64")};
  EXPECT_EQ(choose_platform(mixed, arm64, {false, true}), 0u);
  // Nor does it lift an entry without a platform above one that matches.
  EXPECT_EQ(choose_platform(Entries{std::nullopt, make("linux", "amd64")}, amd64, {true, false}),
            1u);
}

TEST(PlatformTest, ShorthandUsesTheWantedPlatformAsIs) {
  using Entries = std::vector<std::optional<Platform>>;
  Entries entries = {make("linux", "amd64"), make("linux", "arm64"), make("linux", "arm64", "v8")};
  EXPECT_EQ(choose_platform(make("linux", "arm64", "v8"), entries), 2u);
  EXPECT_EQ(choose_platform(make("linux", "amd64"), entries), 0u);
  EXPECT_EQ(choose_platform(make("linux", "riscv64"), entries), std::nullopt);
}

}  // namespace
}  // namespace schicht
