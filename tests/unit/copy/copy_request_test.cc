#include "copy/copy_request.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "error_of.h"

namespace schicht::copy {
namespace {

TEST(CopyRequest, ImageNames) {
  transport::TransportRef ref = parse_copy_name("docker://example.com/a:1", "source");
  EXPECT_EQ(ref.transport, transport::Transport::kDocker);
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { parse_copy_name("busybox", "destination"); }),
            "Invalid destination name busybox: Invalid image name \"busybox\", expected "
            "colon-separated transport:reference");
}

TEST(CopyRequest, Recompression) {
  CopyOptions options;
  settle_recompression("", false, std::nullopt, options);
  EXPECT_FALSE(options.compression);
  settle_recompression("", true, std::nullopt, options);
  EXPECT_EQ(options.compression, Compression::kGzip);
  CopyOptions zstd;
  settle_recompression("zstd", false, 22, zstd);
  EXPECT_EQ(zstd.compression, Compression::kZstd);
  EXPECT_EQ(zstd.compression_level, 22);
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput,
                     [] {
                       CopyOptions o;
                       settle_recompression("bzip2", false, std::nullopt, o);
                     }),
            "--dest-compress-format: unsupported compression \"bzip2\" (gzip or zstd)");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput,
                     [] {
                       CopyOptions o;
                       settle_recompression("", false, 3, o);
                     }),
            "--dest-compress-level needs --dest-compress-format or --dest-compress");
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput,
                     [] {
                       CopyOptions o;
                       settle_recompression("", true, 10, o);
                     }),
            "--dest-compress-level 10: gzip levels are 0 to 9");
}

TEST(CopyRequest, SigningAndReferrers) {
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [] { check_signing_choices(true, "ABCD"); }),
            "cannot use --sign-by together with --remove-signatures");
  check_signing_choices(true, "");
  transport::TransportRef docker = parse_copy_name("docker://example.com/a", "source");
  transport::TransportRef oci = parse_copy_name("oci:/tmp/layout", "destination");
  CopyOptions options;
  EXPECT_TRUE(copy_needs_registries_d(docker, options));
  EXPECT_FALSE(copy_needs_registries_d(oci, options));
  options.remove_signatures = true;
  EXPECT_FALSE(copy_needs_registries_d(docker, options));
  check_referrers_copy(options);
  options.compression = Compression::kGzip;
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { check_referrers_copy(options); }),
            "--referrers cannot be used with --format or --dest-compress*: the digest would "
            "change");
}

}  // namespace
}  // namespace schicht::copy
