#include "builder/build_request.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "scoped_env.h"

namespace schicht::builder {
namespace {

class BuildRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("build_request_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void touch(const std::string& name) { std::ofstream(dir_ / name) << "FROM scratch\n"; }
  BuildRequest request() { return BuildRequest{.context = dir_.string()}; }

  fs::path dir_;
};

std::string error_of(const BuildRequest& request, ErrorKind* kind = nullptr) {
  try {
    BuildInputs inputs = settle_build_inputs(request);
    settle_build_policies(request, inputs.options);
  } catch (const Error& e) {
    if (kind != nullptr) *kind = e.kind();
    return e.what();
  }
  return "";
}

TEST_F(BuildRequestTest, FindsContainerfileBeforeDockerfile) {
  touch("Dockerfile");
  touch("Containerfile");
  BuildInputs inputs = settle_build_inputs(request());
  EXPECT_EQ(inputs.options.containerfile, dir_ / "Containerfile");
  ASSERT_EQ(inputs.platforms.size(), 1u);
  EXPECT_FALSE(inputs.platforms[0]);
}

TEST_F(BuildRequestTest, MissingContextAndContainerfileAreNotFound) {
  ErrorKind kind{};
  BuildRequest r = request();
  EXPECT_NE(error_of(r, &kind).find("no Containerfile or Dockerfile"), std::string::npos);
  EXPECT_EQ(kind, ErrorKind::kNotFound);
  r.context = (dir_ / "absent").string();
  EXPECT_NE(error_of(r, &kind).find("context must be a directory"), std::string::npos);
  EXPECT_EQ(kind, ErrorKind::kNotFound);
}

TEST(BuildRequestFormat, DefaultIsBuildahFormatElseOci) {
  {
    test_env::ScopedEnv env("BUILDAH_FORMAT", std::nullopt);
    EXPECT_EQ(default_image_format(), "oci");
  }
  {
    test_env::ScopedEnv env("BUILDAH_FORMAT", "");
    EXPECT_EQ(default_image_format(), "oci");
  }
  test_env::ScopedEnv env("BUILDAH_FORMAT", "docker");
  EXPECT_EQ(default_image_format(), "docker");
}

TEST_F(BuildRequestTest, NamesArgsLabelsAndFormat) {
  touch("Containerfile");
  test_env::ScopedEnv env("BUILD_REQUEST_ARG", "from-env");
  BuildRequest r = request();
  r.tags = {"foo", "bar:1"};
  r.build_args = {"A=1", "A=2", "BUILD_REQUEST_ARG"};
  r.labels = {"l=1", "l=2", "bare"};
  r.image_format = "docker";
  BuildInputs inputs = settle_build_inputs(r);
  const BuildOptions& o = inputs.options;
  EXPECT_EQ(o.tags, (std::vector<std::string>{"localhost/foo:latest", "localhost/bar:1"}));
  EXPECT_EQ(o.commit_name, "foo");
  EXPECT_EQ(o.build_args.at("A"), "1");
  EXPECT_EQ(o.build_args.at("BUILD_REQUEST_ARG"), "from-env");
  EXPECT_EQ(o.labels.at("l"), "2");
  EXPECT_EQ(o.labels.at("bare"), "");
  EXPECT_TRUE(o.docker_format);
  r.image_format = "v2s1";
  EXPECT_EQ(error_of(r), "unrecognized image type \"v2s1\"");
}

TEST_F(BuildRequestTest, Platforms) {
  touch("Containerfile");
  BuildRequest r = request();
  r.platform = "linux/arm64,linux/amd64";
  BuildInputs inputs = settle_build_inputs(r);
  ASSERT_EQ(inputs.platforms.size(), 2u);
  EXPECT_EQ(inputs.platforms[0]->architecture, "arm64");
  EXPECT_EQ(inputs.platforms[1]->architecture, "amd64");
  r.platform = "linux";
  EXPECT_EQ(error_of(r), "invalid platform syntax for \"linux\" (use OS/ARCH[/VARIANT][,...])");
  r.platform = "linux/amd64,bad";
  EXPECT_EQ(error_of(r),
            "unable to parse platform \"bad\": invalid platform syntax for \"bad\" "
            "(use OS/ARCH[/VARIANT][,...])");
  r.platform = "linux/amd64";
  r.arch = "arm64";
  EXPECT_EQ(error_of(r), "invalid --platform may not be used with --os, --arch, or --variant");
}

TEST_F(BuildRequestTest, PullPolicyAndTimestamp) {
  touch("Containerfile");
  test_env::ScopedEnv epoch("SOURCE_DATE_EPOCH", "42");
  BuildRequest r = request();
  r.pull = "ifnotpresent";
  BuildOptions options;
  settle_build_policies(r, options);
  EXPECT_EQ(options.pull, PullPolicy::kMissing);
  EXPECT_EQ(options.timestamp, 42);
  r.pull = "false";
  r.timestamp = "7";
  settle_build_policies(r, options);
  EXPECT_EQ(options.pull, PullPolicy::kNever);
  EXPECT_EQ(options.timestamp, 7);
  r.timestamp = "-1";
  EXPECT_EQ(error_of(r), "--timestamp: \"-1\" is not a number of seconds");
  r.timestamp = "";
  r.pull = "sometimes";
  EXPECT_EQ(error_of(r), "invalid pull policy \"sometimes\"");
}

}  // namespace
}  // namespace schicht::builder
