// pull from the local transports and load, through the copy engine into the store: the policy
// is evaluated inside the engine before the source is read, names are podman's, and a load
// goes in whole or not at all.
#include "copy/store_input.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

#include "archive/compression.h"
#include "archive/tar_writer.h"
#include "copy/archive_image.h"
#include "copy/copy_image.h"
#include "copy/pull_up.h"
#include "copy/storage_image.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/io.h"
#include "error_of.h"
#include "store/store.h"
#include "transport/transport_name.h"
#include "trust/policy.h"

namespace schicht::copy {
namespace {

// A source that must be refused before a byte of it is read.
class NeverRead final : public Reader {
 public:
  size_t read(void*, size_t) override {
    ADD_FAILURE() << "the source was read before the policy refused it";
    return 0;
  }
};

std::string tar_of(const std::vector<std::pair<std::string, std::string>>& files) {
  StringWriter writer;
  TarWriter tar(writer);
  for (const auto& [name, data] : files) tar.add_file(name, data);
  tar.finish();
  return writer.str();
}

// A docker-archive of `count` one-layer images tagged img<N>:1; `broken` gives image N a
// layer that does not match its config's diffID; `shared`: every image has the same layer (their
// configs differ), so loads store it from several threads at once.
std::string docker_archive(int count, int broken = -1, bool shared = false) {
  std::vector<std::pair<std::string, std::string>> files;
  std::string manifest = "[";
  for (int i = 0; i < count; ++i) {
    std::string layer = tar_of({{"f", "image " + std::to_string(shared ? 0 : i) + "\n"}});
    std::string diff_id = Digest::sha256_of(i == broken ? std::string("other") : layer).str();
    std::string config = R"({"architecture":"amd64","os":"linux","config":{"Labels":{"n":")" +
                         std::to_string(i) +
                         R"("}},"rootfs":)"
                         R"({"type":"layers","diff_ids":[")" +
                         diff_id + R"("]}})";
    std::string n = std::to_string(i);
    files.emplace_back("layer" + n + ".tar", layer);
    files.emplace_back("config" + n + ".json", config);
    manifest += std::string(i > 0 ? "," : "") + R"({"Config":"config)" + n +
                R"(.json","RepoTags":["img)" + n + R"(:1"],"Layers":["layer)" + n + R"(.tar"]})";
  }
  files.emplace_back("manifest.json", manifest + "]");
  return tar_of(files);
}

fs::path write_file(const fs::path& path, const std::string& bytes) {
  StringReader in(bytes);
  AtomicFile file(path);
  FdWriter out(file.fd(), path.string());
  copy_stream(in, out);
  file.commit();
  return path;
}

std::vector<std::string> stored_names(store::Store& store) {
  std::vector<std::string> names;
  for (const auto& image : store.images()) {
    names.insert(names.end(), image.names.begin(), image.names.end());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class StoreInput : public ::testing::Test {
 protected:
  TempDir dir{temp_root(), "schicht-store-input"};
  store::Store store{dir.path() / "root"};
};

TEST_F(StoreInput, ARejectingPolicyRefusesBeforeTheSourceIsOpened) {
  trust::Policy reject = trust::parse_policy(R"({"default":[{"type":"reject"}]})", "p.json");
  // The files do not exist: a refusal is kPolicy, not kNotFound.
  for (std::string source : {"docker-archive:/none/a.tar", "oci-archive:/none/a.tar",
                             "oci:/none/layout", "dir:/none/d"}) {
    std::string message = error_of(ErrorKind::kPolicy, [&] {
      pull_local(store, *transport::parse_transport_name(source), &reject, {});
    });
    EXPECT_NE(message.find("Source image rejected: Running image"), std::string::npos) << message;
  }
  // load: the type is not known before reading, but a policy that rejects both refuses at once.
  NeverRead unknown;
  std::string both = error_of(ErrorKind::kPolicy, [&] {
    load_archive(store, LoadInput{.file = "/a.tar", .stream = &unknown, .name = "/a.tar"}, &reject);
  });
  EXPECT_NE(both.find("oci-archive: Source image rejected: Running image oci-archive:/a.tar: is "
                      "rejected by policy."),
            std::string::npos)
      << both;
  EXPECT_NE(both.find("docker-archive: Source image rejected: Running image docker-archive:/a.tar "
                      "is rejected by policy."),
            std::string::npos)
      << both;
  EXPECT_TRUE(store.images().empty());
}

TEST_F(StoreInput, AScopeRejectsOneTransportAndNotTheOther) {
  fs::path archive = write_file(dir.path() / "d.tar", docker_archive(1));
  trust::Policy policy = trust::parse_policy(
      R"({"default":[{"type":"insecureAcceptAnything"}],
          "transports":{"docker-archive":{"":[{"type":"reject"}]}}})",
      "p.json");
  // load finds a docker-archive: the engine refuses it, although an oci-archive would pass.
  std::string message = error_of(ErrorKind::kPolicy, [&] {
    load_archive(store, LoadInput{.file = archive, .name = archive.string()}, &policy);
  });
  EXPECT_NE(
      message.find("Running image docker-archive:" + archive.string() + " is rejected by policy."),
      std::string::npos)
      << message;
  error_of(ErrorKind::kPolicy, [&] {
    pull_local(store, transport::local_transport_ref("docker-archive", archive.string()), &policy,
               {});
  });
  EXPECT_TRUE(store.images().empty());
  trust::Policy other = trust::parse_policy(
      R"({"default":[{"type":"insecureAcceptAnything"}],
          "transports":{"oci-archive":{"":[{"type":"reject"}]}}})",
      "p.json");
  load_archive(store, LoadInput{.file = archive, .name = archive.string()}, &other);
  EXPECT_EQ(stored_names(store), std::vector<std::string>{"localhost/img0:1"});
}

TEST_F(StoreInput, LoadStoresEveryImageOfAnArchiveUnderItsRepoTags) {
  fs::path archive = write_file(dir.path() / "d.tar", docker_archive(3));
  std::vector<LoadedImage> loaded =
      load_archive(store, LoadInput{.file = archive, .name = archive.string()}, nullptr);
  ASSERT_EQ(loaded.size(), 3u);
  EXPECT_EQ(loaded[1].names, std::vector<std::string>{"localhost/img1:1"});
  EXPECT_TRUE(store.image(loaded[2].id));
  EXPECT_EQ(stored_names(store),
            (std::vector<std::string>{"localhost/img0:1", "localhost/img1:1", "localhost/img2:1"}));
}

TEST_F(StoreInput, ALoadThatFailsOnItsLastImageStoresNothing) {
  fs::path archive = write_file(dir.path() / "d.tar", docker_archive(3, 2));
  std::string message = error_of(ErrorKind::kIntegrity, [&] {
    load_archive(store, LoadInput{.file = archive, .name = archive.string()}, nullptr);
  });
  EXPECT_NE(message.find("diffID"), std::string::npos) << message;
  EXPECT_TRUE(store.images().empty());
  size_t blobs = 0;
  for (const auto& e : fs::directory_iterator(dir.path() / "root" / "blobs" / "sha256")) {
    blobs += !e.is_directory();
  }
  EXPECT_EQ(blobs, 0u);
}

TEST_F(StoreInput, ACompressedStreamIsReadThroughATempFileThatIsRemoved) {
  std::string plain = docker_archive(1);
  StringWriter gz;
  {
    std::unique_ptr<CompressingWriter> out = compress(gz, Compression::kGzip, 1);
    out->write(plain);
    out->finish();
  }
  StringReader in(gz.str());
  std::vector<LoadedImage> loaded =
      load_archive(store, LoadInput{.stream = &in, .name = "stdin"}, nullptr);
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].names, std::vector<std::string>{"localhost/img0:1"});
  EXPECT_TRUE(fs::is_empty(store.blobs().ingest_dir()));
}

TEST_F(StoreInput, PullReadsACompressedArchiveThroughARemovedTempFile) {
  std::string plain = docker_archive(1);
  StringWriter gz;
  {
    std::unique_ptr<CompressingWriter> out = compress(gz, Compression::kGzip, 1);
    out->write(plain);
    out->finish();
  }
  fs::path archive = write_file(dir.path() / "d.tar.gz", gz.str());
  std::vector<LoadedImage> pulled = pull_local(
      store, *transport::parse_transport_name("docker-archive:" + archive.string()), nullptr, {});
  ASSERT_EQ(pulled.size(), 1u);
  EXPECT_EQ(pulled[0].names, std::vector<std::string>{"localhost/img0:1"});
  EXPECT_TRUE(fs::is_empty(store.blobs().ingest_dir()));
  // The wrong kind names the archive as typed, not the temp file.
  std::string message = error_of(ErrorKind::kInvalidInput, [&] {
    pull_local(store, *transport::parse_transport_name("oci-archive:" + archive.string()), nullptr,
               {});
  });
  EXPECT_NE(message.find(archive.string() + ": loading index"), std::string::npos) << message;
  EXPECT_TRUE(fs::is_empty(store.blobs().ingest_dir()));
}

TEST_F(StoreInput, PullPicksOneImageOfAnArchiveAndNamesItAsPodmanDoes) {
  fs::path archive = write_file(dir.path() / "d.tar", docker_archive(2));
  std::vector<LoadedImage> pulled = pull_local(
      store, *transport::parse_transport_name("docker-archive:" + archive.string() + ":@1"),
      nullptr, {});
  ASSERT_EQ(pulled.size(), 1u);
  EXPECT_EQ(pulled[0].names, std::vector<std::string>{"localhost/img1:1"});
  EXPECT_EQ(stored_names(store), std::vector<std::string>{"localhost/img1:1"});
  std::string message = error_of(ErrorKind::kInvalidInput, [&] {
    pull_local(store, *transport::parse_transport_name("docker-archive:" + archive.string()),
               nullptr, {});
  });
  EXPECT_NE(message.find("expected 1 item, got 2"), std::string::npos) << message;
}

// The engine's entry: the admission runs before the source is opened, then on the top manifest
// before the destination is opened or any blob read; a refusal at either step stops there.
class RecordingAdmission final : public SourceAdmission {
 public:
  explicit RecordingAdmission(std::vector<std::string>& calls, std::string refuse_at)
      : calls_(calls), refuse_at_(std::move(refuse_at)) {}
  void before_open() override { step("before_open"); }
  void admit_manifest(ImageSource&, const RawManifest& top) override {
    step("manifest " + top.media_type);
  }

 private:
  void step(const std::string& what) {
    calls_.push_back(what);
    if (what.starts_with(refuse_at_)) fail(ErrorKind::kPolicy, "refused at " + what);
  }
  std::vector<std::string>& calls_;
  std::string refuse_at_;
};

TEST_F(StoreInput, TheEngineAdmitsBeforeOpeningAndOnTheTopManifestBeforeAnyBlob) {
  fs::path archive = write_file(dir.path() / "d.tar", docker_archive(1));
  std::vector<std::string> calls;
  auto run = [&](const std::string& refuse_at) {
    calls.clear();
    RecordingAdmission admission(calls, refuse_at);
    copy_admitted(
        admission,
        [&] {
          calls.push_back("open source");
          return docker_archive_source(archive, "", "docker-archive:" + archive.string());
        },
        [&](ImageSource&) {
          calls.push_back("open destination");
          return storage_destination(store, std::vector<std::string>{}, "load");
        },
        CopyOptions{});
  };
  const std::string manifest = "manifest application/vnd.docker.distribution.manifest.v2+json";
  error_of(ErrorKind::kPolicy, [&] { run("before_open"); });
  EXPECT_EQ(calls, std::vector<std::string>{"before_open"});
  error_of(ErrorKind::kPolicy, [&] { run("manifest"); });
  EXPECT_EQ(calls, (std::vector<std::string>{"before_open", "open source", manifest}));
  EXPECT_TRUE(store.images().empty());
  run("never");
  EXPECT_EQ(calls,
            (std::vector<std::string>{"before_open", "open source", manifest, "open destination"}));
  EXPECT_EQ(store.images().size(), 1u);
}

size_t blob_files(const fs::path& root) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(root / "blobs" / "sha256")) n += !e.is_directory();
  return n;
}

TEST_F(StoreInput, ImagesSharingALayerLoadAtOnceAndRollBackWhole) {
  fs::path archive = write_file(dir.path() / "shared.tar", docker_archive(12, -1, true));
  std::vector<LoadedImage> loaded =
      load_archive(store, LoadInput{.file = archive, .name = archive.string()}, nullptr);
  EXPECT_EQ(loaded.size(), 12u);
  EXPECT_EQ(store.images().size(), 12u);
  EXPECT_EQ(blob_files(dir.path() / "root"), 1u + 12u + 12u);  // the layer, configs, manifests

  TempDir other(temp_root(), "schicht-store-input");
  store::Store fresh(other.path() / "root");
  fs::path broken = write_file(dir.path() / "broken.tar", docker_archive(12, 11, true));
  error_of(ErrorKind::kIntegrity, [&] {
    load_archive(fresh, LoadInput{.file = broken, .name = broken.string()}, nullptr);
  });
  EXPECT_TRUE(fresh.images().empty());
  EXPECT_EQ(blob_files(other.path() / "root"), 0u);
}

// Pulling an image of an additional store up goes through the engine like any other input.
TEST_F(StoreInput, PullUpCopiesAnImageOfAnAdditionalStoreAndKeepsThePrimaryStoresNames) {
  fs::path archive = write_file(dir.path() / "d.tar", docker_archive(2));
  store::Store writer(dir.path() / "shared");
  std::vector<LoadedImage> shared_images =
      load_archive(writer, LoadInput{.file = archive, .name = archive.string()}, nullptr);
  store::Store shared(dir.path() / "shared", store::Store::ReadOnly{});
  // The primary store names another image img1:1 already.
  fs::path one = write_file(dir.path() / "one.tar", docker_archive(1));
  Digest taken = load_archive(store, LoadInput{.file = one, .name = one.string()}, nullptr)[0].id;
  store.tag(taken, "localhost/img1:1");
  const LoadedImage& wanted = shared_images[1];
  pull_up_image(store, shared, wanted.id);
  std::optional<store::ImageInfo> pulled = store.image(wanted.id);
  ASSERT_TRUE(pulled);
  EXPECT_TRUE(pulled->names.empty());
  EXPECT_EQ(store.image_by_name("localhost/img1:1"), taken);
  EXPECT_EQ(pulled->manifest_digest, wanted.manifest);
  EXPECT_EQ(store.layers(wanted.id).size(), 1U);
  for (const auto& layer : store.layers(wanted.id)) EXPECT_TRUE(store.blobs().exists(layer.digest));
  EXPECT_TRUE(store.blobs().exists(wanted.manifest));
  // Again: nothing to copy, nothing changes.
  pull_up_image(store, shared, wanted.id);
  EXPECT_EQ(store.images().size(), 2U);
  // An image both stores have (img0:1 loaded into each): its names stay, nothing is added.
  ASSERT_EQ(taken, shared_images[0].id);
  pull_up_image(store, shared, taken);
  EXPECT_EQ(store.images().size(), 2U);
  EXPECT_EQ(store.image_by_name("localhost/img0:1"), taken);
  EXPECT_NE(error_of(ErrorKind::kNotFound,
                     [&] { pull_up_image(store, shared, Digest::sha256_of("none")); }),
            "");
}

}  // namespace
}  // namespace schicht::copy
