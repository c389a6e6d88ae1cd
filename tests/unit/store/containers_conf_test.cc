// containers.conf's [engine] event settings, read as podman reads them.
#include <gtest/gtest.h>

#include "error_of.h"
#include "store/containers_conf.h"

namespace schicht::store {
namespace {

TEST(ContainersConf, HumanSizesAreDecimalAsGoUnitsReadsThem) {
  EXPECT_EQ(parse_human_size("300"), 300U);
  EXPECT_EQ(parse_human_size("1b"), 1U);
  EXPECT_EQ(parse_human_size("1k"), 1000U);
  EXPECT_EQ(parse_human_size("1m"), 1'000'000U);
  EXPECT_EQ(parse_human_size("3g"), 3'000'000'000U);
  EXPECT_EQ(parse_human_size("1.5kB"), 1500U);
  EXPECT_EQ(parse_human_size("2 MiB"), 2'000'000U);
  EXPECT_EQ(parse_human_size("0"), 0U);
  for (const char* bad : {"", "m", "-1m", "1x", "1mm", "1.m", "1e3", "99999999999p", " 1"}) {
    EXPECT_NE(error_of(ErrorKind::kInvalidInput, [&] { parse_human_size(bad); }), "") << bad;
  }
}

TEST(ContainersConf, TheEngineKeysAreReadAndEverythingElseIsLeftToPodman) {
  EngineConf conf = parse_engine_conf(R"(
[containers]
log_size_max = -1
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_max_size = "2k"
[network]
network_backend = "netavark"
)",
                                      "a.conf", EngineConf{});
  EXPECT_TRUE(conf.events_enabled);
  EXPECT_EQ(conf.events_logfile_max_size, 2000U);
  conf = parse_engine_conf("[engine]\nevents_logger = \"none\"\n", "b.conf", conf);
  EXPECT_FALSE(conf.events_enabled);
  EXPECT_EQ(conf.events_logfile_max_size, 2000U) << "a later file overrides only what it sets";
  EXPECT_EQ(parse_engine_conf("[engine]\nevents_logfile_max_size = 0\n", "c", conf)
                .events_logfile_max_size,
            0U);
  EXPECT_EQ(parse_engine_conf("", "empty.conf", EngineConf{}).events_logfile_max_size, 1'000'000U);
}

TEST(ContainersConf, ServiceDestinationsForImageScp) {
  EngineConf conf = parse_engine_conf(R"(
[engine]
active_service = "a"
[engine.service_destinations.a]
uri = "ssh://me@h:22/run/podman/podman.sock"
identity = "/k"
is_machine = false
)",
                                      "c.conf", EngineConf{});
  ASSERT_EQ(conf.service_destinations.count("a"), 1U);
  EXPECT_EQ(conf.service_destinations["a"].uri, "ssh://me@h:22/run/podman/podman.sock");
  EXPECT_EQ(conf.service_destinations["a"].identity, "/k");
  EXPECT_NE(error_of(ErrorKind::kInvalidInput,
                     [] {
                       parse_engine_conf("[engine.service_destinations.a]\nuri = 1\n", "c.conf",
                                         EngineConf{});
                     }),
            "");
}

TEST(ContainersConf, ImageUnpackIsABooleanOrUnset) {
  EXPECT_FALSE(parse_engine_conf("[engine]\n", "a.conf", EngineConf{}).image_unpack.has_value());
  EngineConf conf = parse_engine_conf("[engine]\nimage_unpack = false\n", "a.conf", {});
  EXPECT_EQ(conf.image_unpack, std::optional<bool>(false));
  conf = parse_engine_conf("[engine]\nevents_logger = \"none\"\n", "b.conf", conf);
  EXPECT_EQ(conf.image_unpack, std::optional<bool>(false))
      << "a later file overrides only its keys";
  EXPECT_EQ(parse_engine_conf("[engine]\nimage_unpack = true\n", "c.conf", conf).image_unpack,
            std::optional<bool>(true));
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput,
                     [] { parse_engine_conf("[engine]\nimage_unpack = \"yes\"\n", "d.conf", {}); }),
            "d.conf: \"image_unpack\" must be true or false");
}

TEST(ContainersConf, WhatPodmanRefusesIsAnErrorNamingTheFile) {
  auto message = [](const char* text) {
    return error_of(ErrorKind::kInvalidInput,
                    [&] { parse_engine_conf(text, "/etc/containers/containers.conf", {}); });
  };
  EXPECT_EQ(message("[engine]\nevents_logger = \"syslog\"\n"),
            "/etc/containers/containers.conf: invalid events backend: \"syslog\"");
  EXPECT_EQ(message("[engine]\nevents_logfile_max_size = \"lots\"\n"),
            "/etc/containers/containers.conf: events_logfile_max_size: invalid size: \"lots\"");
  EXPECT_EQ(message("[engine]\nevents_logfile_max_size = -5\n"),
            "/etc/containers/containers.conf: events log file max size cannot be negative");
  EXPECT_NE(message("[engine\n").find("/etc/containers/containers.conf: "), std::string::npos);
  EXPECT_NE(message("# caf\xc3\xa9\n").find("non-ASCII"), std::string::npos);
}

}  // namespace
}  // namespace schicht::store
