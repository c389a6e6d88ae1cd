// The copy engine without a network: an in-memory source into oci: layouts and back.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "copy/copy_image.h"
#include "copy/oci_dir_image.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/media_type.h"
#include "error_of.h"
#include "oci/index.h"
#include "oci/manifest.h"
#include "transport/transport_name.h"

namespace schicht::copy {
namespace {

// Manifests and blobs by digest; counts what is read.
class MemorySource final : public ImageSource {
 public:
  std::string name() const override { return "memory:"; }
  RawManifest manifest(const std::optional<Digest>& instance) override {
    std::lock_guard lock(mutex_);
    const RawManifest& found = instance ? manifests.at(instance->str()) : top;
    return found;
  }
  void get_blob(const Descriptor& blob, Writer& out) override {
    std::string bytes;
    {
      std::lock_guard lock(mutex_);
      ++blob_reads;
      bytes = blobs.at(blob.digest.str());
    }
    out.write(bytes);
  }

  Descriptor add_blob(std::string bytes, std::string_view type) {
    Descriptor desc{.media_type = std::string(type),
                    .digest = Digest::sha256_of(bytes),
                    .size = static_cast<int64_t>(bytes.size())};
    blobs[desc.digest.str()] = std::move(bytes);
    return desc;
  }
  // An image of one layer; returns its manifest's descriptor.
  Descriptor add_image(const std::string& seed) {
    Descriptor config = add_blob(R"({"architecture":"amd64","os":"linux","seed":")" + seed + "\"}",
                                 media_type::kOciConfig);
    Descriptor layer = add_blob("layer " + seed, media_type::kOciLayer);
    std::string bytes = serialize_oci_manifest(config, {layer});
    Descriptor desc{.media_type = std::string(media_type::kOciManifest),
                    .digest = Digest::sha256_of(bytes),
                    .size = static_cast<int64_t>(bytes.size())};
    manifests[desc.digest.str()] = RawManifest{bytes, std::string(media_type::kOciManifest)};
    return desc;
  }

  RawManifest top;
  std::map<std::string, RawManifest> manifests;
  std::map<std::string, std::string> blobs;
  int blob_reads = 0;

 private:
  std::mutex mutex_;
};

CopyOptions quiet() {
  CopyOptions options;
  options.transfer.jobs = 3;
  return options;
}

TEST(CopyEngineTest, ParsesMultiArch) {
  EXPECT_EQ(parse_multi_arch("system"), MultiArch::kSystem);
  EXPECT_EQ(parse_multi_arch("all"), MultiArch::kAll);
  EXPECT_EQ(parse_multi_arch("index-only"), MultiArch::kIndexOnly);
  EXPECT_NE(error_of(ErrorKind::kInvalidInput, [] { parse_multi_arch("every"); })
                .find(R"(unknown multi-arch option "every")"),
            std::string::npos);
}

TEST(CopyEngineTest, ImageRoundTripsThroughALayoutByteExact) {
  TempDir dir(temp_root(), "schicht-copy-engine");
  MemorySource source;
  Descriptor image = source.add_image("a");
  source.top = source.manifests.at(image.digest.str());
  auto destination = oci_dir_destination(dir.path() / "l", "v1", "oci:l:v1");
  copy_between(source, *destination, quiet());
  EXPECT_EQ(source.blob_reads, 2);

  auto back = oci_dir_source(dir.path() / "l", "v1", "oci:l:v1");
  RawManifest read = back->manifest(std::nullopt);
  EXPECT_EQ(read.bytes, source.top.bytes);
  EXPECT_EQ(read.media_type, media_type::kOciManifest);
  Manifest manifest = parse_manifest(read.bytes);
  StringWriter layer;
  back->get_blob(manifest.layers[0], layer);
  EXPECT_EQ(layer.str(), "layer a");

  // Into the same layout again under another name: every blob is there, nothing is read.
  auto again = oci_dir_destination(dir.path() / "l", "v2", "oci:l:v2");
  copy_between(source, *again, quiet());
  EXPECT_EQ(source.blob_reads, 2);
  Index index = parse_index(read_file(dir.path() / "l" / "index.json"));
  ASSERT_EQ(index.manifests.size(), 2u);
  EXPECT_EQ(index.manifests[1].annotations.at("org.opencontainers.image.ref.name"), "v2");
  // Without a REF a layout of two images is ambiguous.
  EXPECT_NE(error_of(ErrorKind::kInvalidInput,
                     [&] { oci_dir_source(dir.path() / "l", "", "oci:l")->manifest({}); })
                .find("more than one image"),
            std::string::npos);
}

TEST(CopyEngineTest, ABlobThatDoesNotMatchItsDigestNamesNothing) {
  TempDir dir(temp_root(), "schicht-copy-engine");
  MemorySource source;
  Descriptor image = source.add_image("b");
  source.top = source.manifests.at(image.digest.str());
  Manifest manifest = parse_manifest(source.top.bytes);
  source.blobs[manifest.layers[0].digest.str()] = "layer X";  // same size, other bytes
  auto destination = oci_dir_destination(dir.path() / "l", "v1", "oci:l:v1");
  error_of(ErrorKind::kIntegrity, [&] { copy_between(source, *destination, quiet()); });
  EXPECT_FALSE(fs::exists(dir.path() / "l" / "index.json"));
  EXPECT_FALSE(fs::exists(dir.path() / "l" / "blobs" / "sha256" /
                          std::string(manifest.layers[0].digest.hex())));
  for (const auto& entry : fs::directory_iterator(dir.path() / "l" / "blobs" / "sha256")) {
    EXPECT_EQ(entry.path().filename().string().rfind(".tmp-", 0), std::string::npos);
  }
}

TEST(CopyEngineTest, IndexModes) {
  TempDir dir(temp_root(), "schicht-copy-engine");
  MemorySource source;
  Descriptor mine = source.add_image("host");
  Descriptor other = source.add_image("other");
  mine.platform = Platform::host();
  other.platform = Platform{.os = "plan9", .architecture = "mips"};
  std::string index = serialize_oci_index({other, mine});
  source.top = RawManifest{index, std::string(media_type::kOciIndex)};

  auto all = oci_dir_destination(dir.path() / "all", "", "oci:all");
  CopyOptions options = quiet();
  options.multi_arch = MultiArch::kAll;
  copy_between(source, *all, options);
  EXPECT_EQ(oci_dir_source(dir.path() / "all", "", "oci:all")->manifest({}).bytes, index);
  EXPECT_EQ(source.blob_reads, 4);

  // The default: this machine's instance in the list's place.
  auto system = oci_dir_destination(dir.path() / "system", "", "oci:system");
  copy_between(source, *system, quiet());
  EXPECT_EQ(oci_dir_source(dir.path() / "system", "", "oci:system")->manifest({}).bytes,
            source.manifests.at(mine.digest.str()).bytes);
  EXPECT_EQ(source.blob_reads, 6);

  // index-only: the list alone, no blob read.
  auto only = oci_dir_destination(dir.path() / "only", "", "oci:only");
  options.multi_arch = MultiArch::kIndexOnly;
  copy_between(source, *only, options);
  EXPECT_EQ(source.blob_reads, 6);
  EXPECT_EQ(oci_dir_source(dir.path() / "only", "", "oci:only")->manifest({}).bytes, index);

  // A list refused where only an image may go.
  error_of(ErrorKind::kUnsupported, [&] {
    auto one = oci_dir_destination(dir.path() / "one", "", "oci:one");
    copy_one_image(source, *one, quiet());
  });
}

// The skip hook gets the digest a converted copy writes (a list with its converted instances,
// or one image), so a second copy of the same conversion can be skipped.
TEST(CopyEngineTest, SkipSeesTheDigestAConversionWrites) {
  TempDir dir(temp_root(), "schicht-copy-engine");
  MemorySource memory;
  Descriptor mine = memory.add_image("host");
  Descriptor other = memory.add_image("other");
  mine.platform = Platform::host();
  other.platform = Platform{.os = "linux", .architecture = "mips"};
  memory.top = RawManifest{serialize_oci_index({other, mine}), std::string(media_type::kOciIndex)};
  CopyOptions all = quiet();
  all.multi_arch = MultiArch::kAll;
  auto layout = oci_dir_destination(dir.path() / "src", "1", "oci:src:1");
  copy_between(memory, *layout, all);

  // Into dir: layouts, which store either format.
  auto ref = [&](const std::string& name) {
    std::string transport = name == "src" ? "oci:" : "dir:";
    return *transport::parse_transport_name(transport + (dir.path() / name).string() +
                                            (name == "src" ? ":1" : ""));
  };
  auto written = [&](const std::string& name) {
    if (name == "src") return Digest::sha256_of(memory.top.bytes);
    return Digest::sha256_of(read_file(dir.path() / name / "manifest.json"));
  };
  registry::RegistriesConf conf = registry::RegistriesConf::parse("", "test");
  for (MultiArch mode : {MultiArch::kAll, MultiArch::kSystem}) {
    std::string name = mode == MultiArch::kAll ? "list" : "one";
    CopyOptions options = quiet();
    options.multi_arch = mode;
    options.format = ManifestFormat::kDockerV2S2;
    std::optional<Digest> seen;
    options.skip = [&](const Digest& would_write) {
      seen = would_write;
      return false;
    };
    copy_image(nullptr, ref("src"), ref(name), conf, options);
    ASSERT_TRUE(seen);
    EXPECT_EQ(*seen, written(name)) << name;
    EXPECT_NE(*seen, written("src"));
    // Again: the same digest, and skipping it writes nothing.
    options.skip = [&](const Digest& would_write) {
      EXPECT_EQ(would_write, *seen);
      return true;
    };
    copy_image(nullptr, ref("src"), ref("skipped"), conf, options);
    EXPECT_FALSE(fs::exists(dir.path() / "skipped" / "manifest.json"));
  }
}

}  // namespace
}  // namespace schicht::copy
