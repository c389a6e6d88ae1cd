// Conformance of every ImageSource and ImageDestination (oci:, oci-archive:, docker-archive:,
// dir:, containers-storage: on a temp store, and docker:// on a docker-registry the test starts,
// skipped when it is not installed), as the headers state their contract: the call order of
// image_destination.h, partial and parallel reads, a blob that does not match its digest, a
// destination destroyed before commit(), a blob read that is cancelled halfway and a source
// missing a blob. Every failure leaves the destination's files (or the store) as they were
// before; for a registry, its tags and the manifests they name (blobs uploaded before a failure
// may stay, unreferenced, as image_destination.h allows).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "archive/compression.h"
#include "archive/tar_writer.h"
#include "copy/archive_image.h"
#include "copy/copy_image.h"
#include "copy/dir_image.h"
#include "copy/docker_image.h"
#include "copy/oci_dir_image.h"
#include "copy/storage_image.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/media_type.h"
#include "error_of.h"
#include "memory_blobs.h"
#include "oci/manifest.h"
#include "registry/registry_client.h"
#include "registry/registry_server.h"
#include "store/store.h"
#include "transport/transport_name.h"

namespace schicht::copy {
namespace {

// An OCI image of uncompressed layers (so each diff_id is the layer's digest) held in memory.
// get_blob fails as told: `missing` blobs are kNotFound; `broken` ones fail after half their
// bytes, as a connection that drops.
// A layer: one file of its own in a tar (the store reads layers as tars).
std::string layer_tar(const std::string& seed, int i) {
  StringWriter out;
  TarWriter tar(out);
  tar.add_file(seed + std::to_string(i), std::string(1000 + i * 90000, static_cast<char>('a' + i)));
  tar.finish();
  return out.str();
}

class MemoryImage final : public ImageSource {
 public:
  explicit MemoryImage(const std::string& seed, int layer_count = 3) {
    std::string diff_ids;
    for (int i = 0; i < layer_count; ++i) {
      layers_.push_back(add(layer_tar(seed, i), media_type::kOciLayer));
      diff_ids += (i > 0 ? "," : "") + ("\"" + layers_.back().digest.str() + "\"");
    }
    config_ = add(R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[)" +
                      diff_ids + "]}}",
                  media_type::kOciConfig);
    top_ = RawManifest{serialize_oci_manifest(*config_, layers_),
                       std::string(media_type::kOciManifest)};
  }

  std::string name() const override { return "memory:"; }
  RawManifest manifest(const std::optional<Digest>&) override { return top_; }
  void get_blob(const Descriptor& blob, Writer& out) override {
    // The tests fill `missing` and `broken` before a copy reads blobs.
    if (missing.count(blob.digest)) fail(ErrorKind::kNotFound, "blob unknown to registry");
    const std::string& bytes = blobs_.at(blob.digest);
    if (broken.count(blob.digest)) {
      out.write(bytes.data(), bytes.size() / 2);
      fail(ErrorKind::kNetwork, "connection reset by peer");
    }
    out.write(bytes);
  }

  const RawManifest& top() const { return top_; }
  const Descriptor& config() const { return *config_; }
  const std::vector<Descriptor>& layers() const { return layers_; }
  std::vector<Descriptor> blobs() const {
    std::vector<Descriptor> all = layers_;
    all.push_back(*config_);
    return all;
  }
  const std::string& bytes(const Digest& digest) const { return blobs_.at(digest); }

  std::set<Digest> missing;
  std::set<Digest> broken;

 private:
  Descriptor add(std::string bytes, std::string_view type) {
    return blobs_.add(std::move(bytes), type);
  }

  MemoryBlobs blobs_;
  std::vector<Descriptor> layers_;
  std::optional<Descriptor> config_;
  RawManifest top_;
};

// Gives `size` bytes, then fails as a cancelled transfer does.
class CancelledReader final : public Reader {
 public:
  CancelledReader(std::string bytes, size_t size) : bytes_(std::move(bytes)), left_(size) {}
  size_t read(void* buffer, size_t size) override {
    if (left_ == 0) fail(ErrorKind::kIo, "transfer cancelled");
    size_t n = std::min({size, left_, bytes_.size() - offset_});
    std::memcpy(buffer, bytes_.data() + offset_, n);
    offset_ += n;
    left_ -= n;
    return n;
  }

 private:
  std::string bytes_;
  size_t offset_ = 0;
  size_t left_;
};

// Stops a read after `limit` bytes by throwing, as a consumer that has what it needs.
struct Enough {};
class LimitedWriter final : public Writer {
 public:
  explicit LimitedWriter(size_t limit) : limit_(limit) {}
  using Writer::write;
  void write(const void* data, size_t size) override {
    size_t take = std::min(size, limit_ - got_.size());
    got_.append(static_cast<const char*>(data), take);
    if (got_.size() == limit_) throw Enough{};
  }
  const std::string& got() const { return got_; }

 private:
  size_t limit_;
  std::string got_;
};

enum class Kind { kOci, kOciArchive, kDockerArchive, kDir, kStorage, kDocker };

// One docker-registry for the whole binary, started by the first docker:// test; null (with
// the reason in registry_error()) when it is not installed or does not start.
std::string& registry_error() {
  static std::string error;
  return error;
}
registry::testing::RegistryServer* shared_registry() {
  static std::unique_ptr<registry::testing::RegistryServer> server = [] {
    std::unique_ptr<registry::testing::RegistryServer> started;
    if (registry::testing::RegistryServer::binary().empty()) {
      registry_error() = "docker-registry is not installed";
      return started;
    }
    try {
      started = std::make_unique<registry::testing::RegistryServer>();
    } catch (const std::exception& e) {
      registry_error() = e.what();
    }
    return started;
  }();
  return server.get();
}

// Options that read no auth files of the machine and retry quickly.
registry::RegistryOptions registry_options() {
  registry::RegistryOptions options;
  options.insecure = true;
  options.auth_file = temp_root() / "schicht-test-no-such-auth.json";
  options.http.initial_backoff = std::chrono::milliseconds(1);
  options.http.max_backoff = std::chrono::milliseconds(10);
  return options;
}

std::string kind_name(Kind kind) {
  switch (kind) {
    case Kind::kOci:
      return "oci";
    case Kind::kOciArchive:
      return "oci_archive";
    case Kind::kDockerArchive:
      return "docker_archive";
    case Kind::kDir:
      return "dir";
    case Kind::kStorage:
      return "containers_storage";
    case Kind::kDocker:
      return "docker";
  }
  return "";
}

// One transport in a temp directory: destinations and sources for reference `tag`.
class Transport {
 public:
  explicit Transport(Kind kind) : kind_(kind), dir_(temp_root(), "schicht-conformance") {
    static int repositories = 0;
    repository_ = "conformance/r" + std::to_string(++repositories);
  }

  std::unique_ptr<ImageDestination> destination(const std::string& tag = "v1") {
    switch (kind_) {
      case Kind::kOci:
        return oci_dir_destination(path(), tag, "oci:" + tag);
      case Kind::kOciArchive:
        return oci_archive_destination(path(), tag, "oci-archive:" + tag);
      case Kind::kDockerArchive:
        return docker_archive_destination(path(), "localhost/conf:" + tag, "docker-archive:");
      case Kind::kDir:
        return dir_destination(path(), "dir:");
      case Kind::kStorage:
        return storage_destination(store(), storage_ref(tag));
      case Kind::kDocker:
        return docker_destination(docker_ref(tag), registry_options());
    }
    return nullptr;
  }

  std::unique_ptr<ImageSource> source(const std::string& tag = "v1") {
    switch (kind_) {
      case Kind::kOci:
        return oci_dir_source(path(), tag, "oci:" + tag);
      case Kind::kOciArchive:
        return oci_archive_source(path(), tag, "oci-archive:" + tag);
      case Kind::kDockerArchive:
        return docker_archive_source(path(), "", "docker-archive:");
      case Kind::kDir:
        return dir_source(path(), "dir:");
      case Kind::kStorage:
        return storage_source(store(), storage_ref(tag));
      case Kind::kDocker:
        return docker_source(docker_ref(tag), registry_options());
    }
    return nullptr;
  }

  // Every file under the temp directory with its size, and for the store its images and
  // names: what a failed copy must not change. The store's database files change on any
  // transaction, rolled back or not: its rows are compared instead. For a registry: its tags
  // and the manifest each names.
  std::map<std::string, int64_t> state() {
    if (kind_ == Kind::kDocker) return registry_state();
    std::map<std::string, int64_t> out;
    if (kind_ == Kind::kStorage) store();
    if (!fs::exists(dir_.path())) return out;
    for (const auto& entry : fs::recursive_directory_iterator(dir_.path())) {
      std::string rel = entry.path().lexically_relative(dir_.path()).string();
      std::string file = entry.path().filename().string();
      if (file.starts_with("db.sqlite") || file.ends_with(".lock")) continue;
      out[rel] = entry.is_regular_file() ? static_cast<int64_t>(entry.file_size()) : -1;
    }
    if (kind_ == Kind::kStorage) {
      for (const store::ImageInfo& image : store().images()) {
        out["image " + image.id.str()] = 0;
        for (const std::string& name : image.names) out["name " + name] = 0;
      }
    }
    return out;
  }

  Kind kind() const { return kind_; }

 private:
  fs::path path() const { return dir_.path() / "image"; }
  store::Store& store() {
    if (!store_) store_ = std::make_unique<store::Store>(dir_.path() / "root");
    return *store_;
  }
  Reference docker_ref(const std::string& tag) const {
    return Reference::parse(shared_registry()->host() + "/" + repository_ + ":" + tag);
  }
  std::map<std::string, int64_t> registry_state() const {
    std::map<std::string, int64_t> out;
    registry::RegistryClient client(shared_registry()->host(), registry_options());
    std::vector<std::string> tags;
    try {
      tags = client.list_tags(repository_);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kNotFound) throw;  // no repository yet: no tags
    }
    for (const std::string& tag : tags) {
      registry::Manifest manifest = client.get_manifest(repository_, tag);
      out["tag " + tag + " " + Digest::sha256_of(manifest.bytes).str()] = 0;
    }
    return out;
  }
  static transport::TransportRef storage_ref(const std::string& tag) {
    return *transport::parse_transport_name("containers-storage:localhost/conf:" + tag);
  }

  Kind kind_;
  TempDir dir_;
  std::string repository_;  // docker://: a repository of its own on the shared registry
  std::unique_ptr<store::Store> store_;
};

// Skips a docker:// test when there is no registry to run it on.
#define SKIP_WITHOUT_REGISTRY(kind)                              \
  if ((kind) == Kind::kDocker && shared_registry() == nullptr) { \
    GTEST_SKIP() << registry_error();                            \
  }

// Whether reading back serves layers as they were written (docker-archive and the store
// serve them as they generate or keep them).
bool destination_keeps_layers(Kind kind) {
  return kind != Kind::kDockerArchive && kind != Kind::kStorage;
}

CopyOptions parallel() {
  CopyOptions options;
  options.transfer.jobs = 3;
  return options;
}

// Step 2 and 3 of the call order by hand, without commit().
void write_uncommitted(ImageDestination& destination, MemoryImage& image) {
  for (const Descriptor& blob : image.blobs()) {
    if (destination.try_reuse(blob, image)) continue;
    StringReader data(image.bytes(blob.digest));
    destination.put_blob(blob, data);
  }
  destination.put_manifest(image.top().bytes, image.top().media_type, true);
}

class DestinationConformance : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override { SKIP_WITHOUT_REGISTRY(GetParam()); }
  Transport transport{GetParam()};
};

TEST_P(DestinationConformance, CopiesInCallOrderAndReadsBack) {
  MemoryImage image("a");
  copy_between(image, *transport.destination(), parallel());
  auto source = transport.source();
  RawManifest read = source->manifest(std::nullopt);
  if (transport.destination()->keeps_manifests()) {
    EXPECT_EQ(read.bytes, image.top().bytes);
  }
  Manifest manifest = parse_manifest(read.bytes, read.media_type);
  ASSERT_EQ(manifest.layers.size(), image.layers().size());
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    StringWriter layer;
    source->get_blob(manifest.layers[i], layer);
    EXPECT_EQ(layer.str(), image.bytes(image.layers()[i].digest));
  }
  StringWriter config;
  source->get_blob(manifest.config, config);
  EXPECT_EQ(config.str(), image.bytes(image.config().digest));
}

TEST_P(DestinationConformance, ABlobNotMatchingItsDigestIsNotStored) {
  auto before = transport.state();
  {
    MemoryImage image("b");
    auto destination = transport.destination();
    const Descriptor& layer = image.layers()[1];
    std::string other = image.bytes(layer.digest);
    other[other.size() / 2] ^= 1;  // same size, other bytes
    StringReader wrong(other);
    error_of(ErrorKind::kIntegrity, [&] { destination->put_blob(layer, wrong); });
    std::string cut = other.substr(0, other.size() - 10);
    StringReader shorter(cut);
    EXPECT_THROW(destination->put_blob(image.layers()[0], shorter), Error);
  }
  EXPECT_EQ(transport.state(), before);
}

TEST_P(DestinationConformance, DestroyedBeforeCommitLeavesNothing) {
  auto before = transport.state();
  {
    MemoryImage image("c");
    auto destination = transport.destination();
    write_uncommitted(*destination, image);
  }
  EXPECT_EQ(transport.state(), before);
}

TEST_P(DestinationConformance, DestroyedBeforeCommitKeepsThePreviousImage) {
  MemoryImage first("d");
  copy_between(first, *transport.destination(), parallel());
  auto before = transport.state();
  {
    MemoryImage second("e");
    auto destination = transport.destination();
    write_uncommitted(*destination, second);
  }
  EXPECT_EQ(transport.state(), before);
  auto source = transport.source();
  if (transport.destination()->keeps_manifests()) {
    EXPECT_EQ(source->manifest(std::nullopt).bytes, first.top().bytes);
  }
}

TEST_P(DestinationConformance, ABlobCancelledHalfwayIsNotStored) {
  auto before = transport.state();
  {
    MemoryImage image("f");
    auto destination = transport.destination();
    const Descriptor& layer = image.layers()[2];
    CancelledReader half(image.bytes(layer.digest), static_cast<size_t>(layer.size / 2));
    EXPECT_THROW(destination->put_blob(layer, half), Error);
  }
  EXPECT_EQ(transport.state(), before);
}

TEST_P(DestinationConformance, ASourceMissingABlobCopiesNothing) {
  auto before = transport.state();
  MemoryImage image("g");
  image.missing.insert(image.layers()[1].digest);
  error_of(ErrorKind::kNotFound,
           [&] { copy_between(image, *transport.destination(), parallel()); });
  EXPECT_EQ(transport.state(), before);
}

TEST_P(DestinationConformance, ASourceFailingMidBlobCopiesNothing) {
  auto before = transport.state();
  MemoryImage image("h");
  image.broken.insert(image.layers()[2].digest);
  error_of(ErrorKind::kNetwork, [&] { copy_between(image, *transport.destination(), parallel()); });
  EXPECT_EQ(transport.state(), before);
}

// --format and --dest-compress-format through every destination that stores the result: the
// layers read back decompress to the original tars, and the config (diffIDs) is unchanged.
TEST_P(DestinationConformance, ConvertedAndRecompressedCopiesReadBack) {
  for (auto [format, compression] : {std::pair{ManifestFormat::kDockerV2S2, Compression::kGzip},
                                     std::pair{ManifestFormat::kOci, Compression::kZstd}}) {
    Transport fresh(GetParam());
    auto destination = fresh.destination();
    std::vector<std::string> types = destination->manifest_types();
    bool docker = format == ManifestFormat::kDockerV2S2;
    if (docker && !types.empty() &&
        std::find(types.begin(), types.end(), media_type::kDockerManifest) == types.end()) {
      continue;  // oci: and oci-archive: store only OCI: check_type refuses (system tests)
    }
    MemoryImage image("conv");
    CopyOptions options = parallel();
    options.format = format;
    options.compression = compression;
    copy_between(image, *destination, options);
    destination.reset();
    auto back = fresh.source();
    RawManifest read = back->manifest(std::nullopt);
    Manifest manifest = parse_manifest(read.bytes, read.media_type);
    EXPECT_EQ(manifest.config.digest, image.config().digest);
    ASSERT_EQ(manifest.layers.size(), image.layers().size());
    for (size_t i = 0; i < manifest.layers.size(); ++i) {
      StringWriter stored;
      back->get_blob(manifest.layers[i], stored);
      StringReader raw(stored.str());
      auto plain = decompress(raw);
      EXPECT_EQ(read_all(*plain, size_t{1} << 30, "layer"), image.bytes(image.layers()[i].digest));
      if (destination_keeps_layers(GetParam())) {
        EXPECT_EQ(detect_compression(stored.str().substr(0, kCompressionMagicSize)), compression);
        EXPECT_EQ(manifest.layers[i].media_type, layer_type(compression, format));
      }
    }
  }
}

TEST_P(DestinationConformance, ARecompressionThatFailsLeavesNothing) {
  auto before = transport.state();
  MemoryImage image("rf");
  image.broken.insert(image.layers()[1].digest);
  CopyOptions options = parallel();
  options.compression = Compression::kZstd;
  EXPECT_THROW(copy_between(image, *transport.destination(), options), Error);
  EXPECT_EQ(transport.state(), before);
}

class SourceConformance : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    SKIP_WITHOUT_REGISTRY(GetParam());
    copy_between(image, *transport.destination(), parallel());
  }

  // The blobs as the source names them (a docker-archive source generates its manifest).
  std::vector<Descriptor> blobs(ImageSource& source) {
    RawManifest raw = source.manifest(std::nullopt);
    Manifest manifest = parse_manifest(raw.bytes, raw.media_type);
    std::vector<Descriptor> out = manifest.layers;
    out.push_back(manifest.config);
    return out;
  }

  Transport transport{GetParam()};
  MemoryImage image{"s"};
};

TEST_P(SourceConformance, ManifestFirstThenEveryBlob) {
  auto source = transport.source();
  for (const Descriptor& blob : blobs(*source)) {
    StringWriter out;
    source->get_blob(blob, out);
    EXPECT_EQ(out.str(), image.bytes(blob.digest));
  }
}

TEST_P(SourceConformance, APartialReadLeavesTheSourceUsable) {
  auto source = transport.source();
  for (const Descriptor& blob : blobs(*source)) {
    LimitedWriter head(std::min<size_t>(100, static_cast<size_t>(blob.size)));
    try {
      source->get_blob(blob, head);
    } catch (const Enough&) {
    } catch (const Error&) {
      // A source may wrap what its writer threw: the bytes it gave are what counts.
    }
    EXPECT_EQ(head.got(), image.bytes(blob.digest).substr(0, head.got().size()));
    EXPECT_FALSE(head.got().empty());
    StringWriter whole;
    source->get_blob(blob, whole);
    EXPECT_EQ(whole.str(), image.bytes(blob.digest));
  }
}

TEST_P(SourceConformance, BlobsReadInParallel) {
  auto source = transport.source();
  std::vector<Descriptor> all = blobs(*source);
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < all.size(); ++i) {
          const Descriptor& blob = all[(i + static_cast<size_t>(t)) % all.size()];
          StringWriter out;
          source->get_blob(blob, out);
          if (out.str() != image.bytes(blob.digest)) ++wrong[static_cast<size_t>(t)];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

TEST_P(SourceConformance, ABlobItDoesNotHaveIsNotFound) {
  auto source = transport.source();
  source->manifest(std::nullopt);
  std::string absent = "not in the image";
  Descriptor blob{.media_type = std::string(media_type::kOciLayer),
                  .digest = Digest::sha256_of(absent),
                  .size = static_cast<int64_t>(absent.size())};
  StringWriter out;
  error_of(ErrorKind::kNotFound, [&] { source->get_blob(blob, out); });
  EXPECT_EQ(out.str(), "");
}

TEST_P(SourceConformance, AReferenceToNoImageIsNotFound) {
  if (GetParam() == Kind::kDir || GetParam() == Kind::kDockerArchive) {
    GTEST_SKIP() << "one image per directory or archive: every reference names it";
  }
  error_of(ErrorKind::kNotFound, [&] { transport.source("absent")->manifest(std::nullopt); });
}

TEST_P(SourceConformance, CopiesIntoEveryOtherTransport) {
  auto source = transport.source();
  for (Kind kind :
       {Kind::kOci, Kind::kOciArchive, Kind::kDockerArchive, Kind::kDir, Kind::kStorage}) {
    Transport other(kind);
    auto destination = other.destination();
    RawManifest top = source->manifest(std::nullopt);
    CopyOptions options = parallel();
    // A docker-archive source yields a Docker manifest: oci destinations get it converted.
    copy_between(*source, *destination, options);
    auto back = other.source();
    RawManifest read = back->manifest(std::nullopt);
    if (destination->keeps_manifests() && read.media_type == top.media_type) {
      EXPECT_EQ(read.bytes, top.bytes) << kind_name(kind);
    }
  }
}

const auto kAll = ::testing::Values(Kind::kOci, Kind::kOciArchive, Kind::kDockerArchive, Kind::kDir,
                                    Kind::kStorage, Kind::kDocker);
std::string param_name(const ::testing::TestParamInfo<Kind>& info) {
  return kind_name(info.param);
}

INSTANTIATE_TEST_SUITE_P(Transports, DestinationConformance, kAll, param_name);
INSTANTIATE_TEST_SUITE_P(Transports, SourceConformance, kAll, param_name);

}  // namespace
}  // namespace schicht::copy
