#include "oci/config.h"

#include <gtest/gtest.h>

#include "expect_error.h"

namespace schicht {
namespace {

const std::string kDiffId = Digest::sha256_of("diff").str();
const std::string kRootfs = R"("rootfs":{"type":"layers","diff_ids":[")" + kDiffId + R"("]})";

ImageConfig parse_with(std::string_view members) {
  return parse_config("{" + std::string(members) + (members.empty() ? "" : ",") + kRootfs + "}");
}

TEST(ParseConfigTest, ParsesADockerConfig) {
  const std::string raw =
      R"({"architecture":"arm64","variant":"v8","os":"linux","os.version":"1",)"
      R"("os.features":["f"],"created":"2024-01-02T03:04:05.5+01:00","author":"me",)"
      R"("container":"abc","docker_version":"24.0.7","comment":"imported",)"
      R"("container_config":{"Cmd":["ignored"]},)"
      R"("config":{"User":"1000:1000","ExposedPorts":{"8080/tcp":{},"53/udp":{}},"Env":["A=1"],)"
      R"("Entrypoint":["/init"],"Cmd":null,"Volumes":{"/data":{}},"WorkingDir":"/srv",)"
      R"("Labels":{"l":"v"},"StopSignal":"SIGTERM","ArgsEscaped":true,"Healthcheck":{"Test":[]},)"
      R"("Memory":0},)" +
      kRootfs +
      R"(,"history":[{"created":"2024-01-02T03:04:05Z","created_by":"/bin/sh -c #(nop) ENV A=1",)"
      R"("author":"a","comment":"c","empty_layer":true},{"created_by":"ADD x /"}]})";
  const ImageConfig config = parse_config(raw);
  EXPECT_EQ(config.raw, raw);
  EXPECT_EQ(config.id, Digest::sha256_of(raw));
  EXPECT_EQ(config.architecture, "arm64");
  EXPECT_EQ(config.variant, "v8");
  EXPECT_EQ(config.os, "linux");
  EXPECT_EQ(config.os_version, "1");
  EXPECT_EQ(config.os_features, std::vector<std::string>{"f"});
  EXPECT_EQ(config.created, "2024-01-02T03:04:05.5+01:00");
  EXPECT_EQ(config.author, "me");
  EXPECT_EQ(config.container, "abc");
  EXPECT_EQ(config.docker_version, "24.0.7");
  EXPECT_EQ(config.comment, "imported");
  EXPECT_EQ(config.config.user, "1000:1000");
  EXPECT_EQ(config.config.exposed_ports, (std::vector<std::string>{"53/udp", "8080/tcp"}));
  EXPECT_EQ(config.config.env, std::vector<std::string>{"A=1"});
  EXPECT_EQ(config.config.entrypoint, std::vector<std::string>{"/init"});
  EXPECT_FALSE(config.config.cmd.has_value());
  EXPECT_EQ(config.config.volumes, std::vector<std::string>{"/data"});
  EXPECT_EQ(config.config.working_dir, "/srv");
  EXPECT_EQ(config.config.labels.at("l"), "v");
  EXPECT_EQ(config.config.stop_signal, "SIGTERM");
  EXPECT_TRUE(config.config.args_escaped);
  ASSERT_EQ(config.diff_ids.size(), 1u);
  EXPECT_EQ(config.diff_ids[0].str(), kDiffId);
  ASSERT_EQ(config.history.size(), 2u);
  EXPECT_EQ(config.history[0], (HistoryEntry{.created = "2024-01-02T03:04:05Z",
                                             .created_by = "/bin/sh -c #(nop) ENV A=1",
                                             .author = "a",
                                             .comment = "c",
                                             .empty_layer = true}));
  EXPECT_EQ(config.history[1], HistoryEntry{.created_by = "ADD x /"});
}

TEST(ParseConfigTest, TellsNullAndAbsentCommandsFromEmptyOnes) {
  EXPECT_FALSE(parse_with(R"("config":{})").config.cmd.has_value());
  EXPECT_FALSE(parse_with(R"("config":{"Cmd":null})").config.cmd.has_value());
  const ImageConfig empty = parse_with(R"("config":{"Cmd":[],"Entrypoint":[]})");
  ASSERT_TRUE(empty.config.cmd.has_value());
  EXPECT_TRUE(empty.config.cmd->empty());
  ASSERT_TRUE(empty.config.entrypoint.has_value());
  EXPECT_TRUE(empty.config.entrypoint->empty());
  // Docker's StrSlice takes a lone string.
  EXPECT_EQ(parse_with(R"("config":{"Cmd":"sh"})").config.cmd, std::vector<std::string>{"sh"});
}

TEST(ParseConfigTest, TreatsNullAsAbsent) {
  const ImageConfig config =
      parse_with(R"("created":null,"author":null,"architecture":null,"config":null,"history":null,)"
                 R"("os.features":null)");
  EXPECT_EQ(config.created, "");
  EXPECT_EQ(config.architecture, "");
  EXPECT_EQ(config.config, ContainerConfig{});
  EXPECT_TRUE(config.history.empty());
  // A minimal config: only rootfs. diff_ids may be null for an image without layers.
  EXPECT_TRUE(parse_config(R"({"rootfs":{"type":"layers","diff_ids":null}})").diff_ids.empty());
}

TEST(ParseConfigTest, RejectsInvalidConfigs) {
  EXPECT_SCHICHT_ERROR(parse_config("{\"a\":"), ErrorKind::kInvalidInput,
                       "invalid image config: malformed JSON");
  EXPECT_SCHICHT_ERROR(parse_config(R"({"architecture":"amd64","os":"linux"})"),
                       ErrorKind::kInvalidInput, "invalid image config: rootfs: missing");
  EXPECT_SCHICHT_ERROR(parse_config(R"({"rootfs":{"diff_ids":[]}})"), ErrorKind::kInvalidInput,
                       "rootfs.type: \"\" is not supported, expected \"layers\"");
  EXPECT_SCHICHT_ERROR(parse_config(R"({"rootfs":{"type":"snapshot","diff_ids":[]}})"),
                       ErrorKind::kInvalidInput, "rootfs.type: \"snapshot\" is not supported");
  EXPECT_SCHICHT_ERROR(parse_config(R"({"rootfs":{"type":"layers","diff_ids":["sha256:x"]}})"),
                       ErrorKind::kInvalidInput, "rootfs.diff_ids[0]: invalid digest");
  EXPECT_SCHICHT_ERROR(parse_with(R"("created":"yesterday")"), ErrorKind::kInvalidInput,
                       "created: \"yesterday\" is not an RFC 3339 time");
  EXPECT_SCHICHT_ERROR(parse_with(R"("history":[{"created":""}])"), ErrorKind::kInvalidInput,
                       "history[0].created: \"\" is not an RFC 3339 time");
  EXPECT_SCHICHT_ERROR(parse_with(R"("history":[7])"), ErrorKind::kInvalidInput,
                       "history[0]: expected a JSON object, got a JSON number");
  EXPECT_SCHICHT_ERROR(parse_with(R"("history":[{"empty_layer":"yes"}])"), ErrorKind::kInvalidInput,
                       "history[0].empty_layer: expected a JSON boolean");
  EXPECT_SCHICHT_ERROR(parse_with(R"("config":{"Env":"A=1"})"), ErrorKind::kInvalidInput,
                       "config.Env: expected a JSON array, got a JSON string");
  EXPECT_SCHICHT_ERROR(parse_with(R"("config":{"Cmd":[1]})"), ErrorKind::kInvalidInput,
                       "config.Cmd[0]: expected a JSON string, got a JSON number");
  EXPECT_SCHICHT_ERROR(parse_with(R"("config":{"ExposedPorts":["80/tcp"]})"),
                       ErrorKind::kInvalidInput, "config.ExposedPorts: expected a JSON object");
  EXPECT_SCHICHT_ERROR(parse_with(R"("os":["linux"])"), ErrorKind::kInvalidInput,
                       "os: expected a JSON string, got a JSON array");
}

TEST(SerializeConfigTest, WritesPodmanImportOrderAndOmitsEmptyMembers) {
  ImageConfig config;
  config.architecture = "amd64";
  config.os = "linux";
  config.diff_ids = {Digest::parse(kDiffId)};
  EXPECT_EQ(serialize_config(config),
            R"({"architecture":"amd64","os":"linux","config":{},)" + kRootfs + "}");

  config.created = "2024-01-02T04:04:05.120+01:00";
  config.author = "A <a@example.com>";
  config.variant = "v7";
  config.os_version = "10.0";
  config.os_features = {"win32k"};
  config.config = ContainerConfig{
      .user = "u",
      .exposed_ports = {"80/tcp", "443/tcp", "80/tcp"},
      .env = {"PATH=/bin"},
      .entrypoint = std::vector<std::string>{},  // [] is left out like null: Go's omitempty
      .cmd = std::vector<std::string>{"sh", "-c", "a && b"},
      .volumes = {"/v"},
      .working_dir = "/w",
      .labels = {{"b", "2"}, {"a", "1"}},
      .stop_signal = "SIGKILL",
      .args_escaped = true,
  };
  config.history = {HistoryEntry{.created = "2024-01-02T03:04:05.000Z",
                                 .created_by = "c",
                                 .author = "a",
                                 .comment = "m",
                                 .empty_layer = true},
                    HistoryEntry{}};
  config.container = "not written";
  EXPECT_EQ(
      serialize_config(config),
      R"({"created":"2024-01-02T04:04:05.12+01:00","author":"A \u003ca@example.com\u003e",)"
      R"("architecture":"amd64","variant":"v7","os":"linux","os.version":"10.0",)"
      R"("os.features":["win32k"],"config":{"User":"u","ExposedPorts":{"443/tcp":{},"80/tcp":{}},)"
      R"("Env":["PATH=/bin"],"Cmd":["sh","-c","a \u0026\u0026 b"],"Volumes":{"/v":{}},)"
      R"("WorkingDir":"/w","Labels":{"a":"1","b":"2"},"StopSignal":"SIGKILL","ArgsEscaped":true},)" +
          kRootfs +
          R"(,"history":[{"created":"2024-01-02T03:04:05Z","created_by":"c","author":"a",)"
          R"("comment":"m","empty_layer":true},{}]})");
}

}  // namespace
}  // namespace schicht
