// RegistryClient against a real registry: Debian's docker-registry on loopback. Skipped when
// it is not installed.
#include "registry/registry_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include <nlohmann/json.hpp>

#include "core/media_type.h"
#include "registry/auth_file.h"
#include "registry_server.h"
#include "test_support.h"

namespace schicht::registry {
namespace {

using testing::error_of;
using testing::RegistryServer;
using testing::TestCertificates;

std::string random_bytes(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(random());
  return out;
}

// Pushes `data` monolithically and returns its digest.
Digest push(RegistryClient& client, std::string_view repository, const std::string& data) {
  Digest digest = Digest::sha256_of(data);
  StringReader reader(data);
  client.push_blob(repository, digest, data.size(), reader);
  return digest;
}

std::string pull(RegistryClient& client, std::string_view repository, const Digest& digest,
                 uint64_t size, uint64_t offset = 0) {
  StringWriter sink;
  client.get_blob(repository, digest, size, sink, offset);
  return sink.str();
}

std::string descriptor(std::string_view media_type, const std::string& data) {
  return fmt::format(R"({{"mediaType":"{}","digest":"{}","size":{}}})", media_type,
                     Digest::sha256_of(data).str(), data.size());
}

// An OCI manifest for a config and one layer, both pushed to `repository`.
std::string push_image(RegistryClient& client, std::string_view repository, uint32_t seed) {
  std::string config = fmt::format(
      R"({{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":[]}},"seed":{}}})",
      seed);
  std::string layer = random_bytes(10'000, seed);
  push(client, repository, config);
  push(client, repository, layer);
  return fmt::format(R"({{"schemaVersion":2,"mediaType":"{}","config":{},"layers":[{}]}})",
                     media_type::kOciManifest, descriptor(media_type::kOciConfig, config),
                     descriptor(media_type::kOciLayerGzip, layer));
}

// Options that read no auth files of the machine and retry quickly.
RegistryOptions test_options() {
  RegistryOptions options;
  options.insecure = true;
  options.auth_file = temp_root() / "schicht-test-no-such-auth.json";
  options.http.initial_backoff = std::chrono::milliseconds(1);
  options.http.max_backoff = std::chrono::milliseconds(10);
  return options;
}

// One plain-HTTP registry shared by the tests of the suite.
class RegistryClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (RegistryServer::binary().empty()) return;
    try {
      server_ = new RegistryServer();
    } catch (const std::exception& e) {
      start_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (RegistryServer::binary().empty()) GTEST_SKIP() << "docker-registry is not installed";
    ASSERT_NE(server_, nullptr) << start_error_;
  }

  static RegistryServer* server_;
  static std::string start_error_;
};

RegistryServer* RegistryClientTest::server_ = nullptr;
std::string RegistryClientTest::start_error_;

TEST_F(RegistryClientTest, PingFallsBackToHttpOnlyForInsecureRegistries) {
  RegistryClient insecure(server_->host(), test_options());
  EXPECT_EQ(insecure.ping(), "http://" + server_->host());

  RegistryOptions no_verify = test_options();
  no_verify.insecure = false;
  no_verify.tls_verify = false;
  EXPECT_EQ(RegistryClient(server_->host(), no_verify).ping(), "http://" + server_->host());

  RegistryOptions secure = test_options();
  secure.insecure = false;
  RegistryClient client(server_->host(), secure);
  std::string message = error_of(ErrorKind::kNetwork, [&] { client.ping(); });
  EXPECT_NE(message.find("pinging container registry " + server_->host()), std::string::npos)
      << message;
  EXPECT_NE(message.find("https://" + server_->host()), std::string::npos) << message;
}

TEST_F(RegistryClientTest, PushesAndPullsBlobs) {
  RegistryClient client(server_->host(), test_options());
  std::string data = random_bytes(3 << 20, 1);
  Digest digest = push(client, "test/blobs", data);
  std::optional<BlobHead> head = client.head_blob("test/blobs", digest);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->size, data.size());
  EXPECT_EQ(head->digest, digest);
  EXPECT_EQ(pull(client, "test/blobs", digest, data.size()), data);
  // A resumed download: the caller has the first part already.
  EXPECT_EQ(pull(client, "test/blobs", digest, data.size(), 1'000'000), data.substr(1'000'000));
  EXPECT_EQ(pull(client, "test/blobs", digest, data.size(), data.size()), "");
}

TEST_F(RegistryClientTest, UploadsInChunks) {
  RegistryClient client(server_->host(), test_options());
  std::string data = random_bytes(9001, 2);
  Digest digest = Digest::sha256_of(data);
  BlobUpload upload = client.start_upload("test/chunks");
  upload.write_chunk(std::string_view(data).substr(0, 5000));
  upload.write_chunk(std::string_view(data).substr(5000, 1));
  StringReader rest(std::string_view(data).substr(5001));
  upload.write_chunk(rest, data.size() - 5001);
  EXPECT_EQ(upload.offset(), data.size());
  upload.finish(digest);
  EXPECT_EQ(pull(client, "test/chunks", digest, data.size()), data);
}

TEST_F(RegistryClientTest, AbandonedUploadsAreCancelled) {
  RegistryClient client(server_->host(), test_options());
  std::string location;
  {
    BlobUpload upload = client.start_upload("test/cancel");
    upload.write_chunk("abc");
    location = upload.location();
  }
  http::HttpClient http;
  EXPECT_EQ(http.send(http::HttpRequest{.url = location}).status, 404);
}

TEST_F(RegistryClientTest, MountsBlobsAcrossRepositories) {
  RegistryClient client(server_->host(), test_options());
  std::string data = random_bytes(4096, 3);
  Digest digest = push(client, "test/source", data);
  EXPECT_FALSE(client.head_blob("test/target", digest));
  EXPECT_TRUE(client.mount_blob("test/target", digest, "test/source"));
  EXPECT_TRUE(client.head_blob("test/target", digest));
  Digest unknown = Digest::sha256_of("never pushed");
  EXPECT_FALSE(client.mount_blob("test/target", unknown, "test/source"));
}

TEST_F(RegistryClientTest, PutsAndGetsManifestsByTagAndDigest) {
  RegistryClient client(server_->host(), test_options());
  std::string manifest = push_image(client, "test/app", 4);
  Digest digest = client.put_manifest("test/app", "v1", manifest, media_type::kOciManifest);
  EXPECT_EQ(digest, Digest::sha256_of(manifest));

  Manifest by_tag = client.get_manifest("test/app", "v1");
  EXPECT_EQ(by_tag.bytes, manifest);
  EXPECT_EQ(by_tag.media_type, media_type::kOciManifest);
  EXPECT_EQ(by_tag.digest, digest);
  Manifest by_digest = client.get_manifest("test/app", digest.str());
  EXPECT_EQ(by_digest.bytes, manifest);

  std::optional<ManifestHead> head = client.head_manifest("test/app", "v1");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->digest, digest);
  EXPECT_EQ(head->size, manifest.size());
  EXPECT_EQ(head->media_type, media_type::kOciManifest);

  // Pushing the same bytes by digest keeps the digest.
  EXPECT_EQ(client.put_manifest("test/app", digest.str(), manifest, media_type::kOciManifest),
            digest);
}

// distribution 2.x has no referrers API: the tag scheme's index is read instead, and no index
// at all is an empty one.
TEST_F(RegistryClientTest, ReferrersFallBackToTheDigestTag) {
  RegistryClient client(server_->host(), test_options());
  std::string manifest = push_image(client, "test/referred", 8);
  Digest subject = client.put_manifest("test/referred", "v1", manifest, media_type::kOciManifest);
  auto index = nlohmann::json::parse(client.referrers("test/referred", subject).bytes);
  EXPECT_EQ(index["manifests"], nlohmann::json::array());
  std::string listed = fmt::format(
      R"({{"schemaVersion":2,"mediaType":"{}","manifests":[{{"mediaType":"{}","digest":"{}","size":{},"artifactType":"x/y"}}]}})",
      media_type::kOciIndex, media_type::kOciManifest, subject.str(), manifest.size());
  std::string tag = "sha256-" + std::string(subject.hex());
  client.put_manifest("test/referred", tag, listed, media_type::kOciIndex);
  EXPECT_EQ(client.referrers("test/referred", subject).bytes, listed);
  client.put_manifest("test/referred", tag, manifest, media_type::kOciManifest);
  std::string message =
      error_of(ErrorKind::kInvalidInput, [&] { client.referrers("test/referred", subject); });
  EXPECT_NE(message.find("holds application/vnd.oci.image.manifest.v1+json, not an OCI index"),
            std::string::npos)
      << message;
}

TEST_F(RegistryClientTest, MissingThingsAreNotFound) {
  RegistryClient client(server_->host(), test_options());
  std::string manifest = push_image(client, "test/present", 5);
  client.put_manifest("test/present", "v1", manifest, media_type::kOciManifest);
  std::string message =
      error_of(ErrorKind::kNotFound, [&] { client.get_manifest("test/present", "nope"); });
  EXPECT_EQ(message, fmt::format("reading manifest nope in {}/test/present: manifest unknown: "
                                 "manifest unknown",
                                 server_->host()));
  EXPECT_FALSE(client.head_manifest("test/present", "nope"));
  Digest unknown = Digest::sha256_of("unknown");
  EXPECT_FALSE(client.head_blob("test/present", unknown));
  message = error_of(ErrorKind::kNotFound, [&] {
    StringWriter sink;
    client.get_blob("test/present", unknown, 7, sink);
  });
  EXPECT_NE(message.find("blob unknown"), std::string::npos) << message;
  error_of(ErrorKind::kNotFound, [&] { client.list_tags("test/absent"); });
}

TEST_F(RegistryClientTest, SizeAndDigestMismatchesAreIntegrityErrors) {
  RegistryClient client(server_->host(), test_options());
  std::string data = random_bytes(1000, 6);
  Digest digest = push(client, "test/integrity", data);
  std::string message =
      error_of(ErrorKind::kIntegrity, [&] { pull(client, "test/integrity", digest, 1001); });
  EXPECT_NE(message.find("Content-Length 1000 but expected 1001"), std::string::npos) << message;
  error_of(ErrorKind::kIntegrity, [&] { pull(client, "test/integrity", digest, 999); });

  StringReader reader(data);
  message = error_of(ErrorKind::kIntegrity, [&] {
    client.push_blob("test/integrity", Digest::sha256_of("other"), data.size(), reader);
  });
  EXPECT_NE(message.find("digest invalid"), std::string::npos) << message;

  std::string wrong = "sha256:" + std::string(64, '0');
  std::string manifest = push_image(client, "test/integrity", 7);
  error_of(ErrorKind::kInvalidInput, [&] {
    client.put_manifest("test/integrity", wrong, manifest, media_type::kOciManifest);
  });
}

TEST_F(RegistryClientTest, RefusesManifestsWithMissingBlobs) {
  RegistryClient client(server_->host(), test_options());
  std::string config = "{}";
  push(client, "test/refused", config);
  std::string manifest =
      fmt::format(R"({{"schemaVersion":2,"mediaType":"{}","config":{},"layers":[{}]}})",
                  media_type::kOciManifest, descriptor(media_type::kOciConfig, config),
                  descriptor(media_type::kOciLayerGzip, "not pushed"));
  std::string message = error_of(ErrorKind::kInvalidInput, [&] {
    client.put_manifest("test/refused", "v1", manifest, media_type::kOciManifest);
  });
  EXPECT_NE(message.find("manifest blob unknown"), std::string::npos) << message;
}

TEST_F(RegistryClientTest, ListsTags) {
  RegistryClient client(server_->host(), test_options());
  std::string manifest = push_image(client, "test/tags", 8);
  std::vector<std::string> tags = {"a", "b", "c", "d", "e"};
  for (const std::string& tag : tags) {
    client.put_manifest("test/tags", tag, manifest, media_type::kOciManifest);
  }
  auto sorted = [](std::vector<std::string> list) {
    std::sort(list.begin(), list.end());
    return list;
  };
  // distribution 2.8 lists tags in no particular order and ignores n= for tag lists (Link
  // pagination is covered against a scripted registry in registry_token_test.cc).
  EXPECT_EQ(sorted(client.list_tags("test/tags")), tags);
  EXPECT_EQ(sorted(client.list_tags("test/tags", 2)), tags);
}

TEST_F(RegistryClientTest, RefusesPathInjection) {
  RegistryClient client(server_->host(), test_options());
  error_of(ErrorKind::kInvalidInput, [&] { client.get_manifest("test/../x", "v1"); });
  error_of(ErrorKind::kInvalidInput, [&] { client.get_manifest("test/x", "v1?x=1"); });
  error_of(ErrorKind::kInvalidInput, [&] { client.list_tags("Test/X"); });
}

// A registry with htpasswd Basic authentication.
class RegistryBasicAuthTest : public RegistryClientTest {
 protected:
  static void SetUpTestSuite() {
    if (RegistryServer::binary().empty()) return;
    try {
      server_ = new RegistryServer({.htpasswd = testing::htpasswd_line("alice", "s3cret")});
    } catch (const std::exception& e) {
      start_error_ = e.what();
    }
  }
};

TEST_F(RegistryBasicAuthTest, PushesAndPullsWithCredentials) {
  RegistryOptions options = test_options();
  options.credentials = Credentials{"alice", "s3cret"};
  RegistryClient client(server_->host(), options);
  std::string manifest = push_image(client, "private/app", 9);
  client.put_manifest("private/app", "v1", manifest, media_type::kOciManifest);
  EXPECT_EQ(client.get_manifest("private/app", "v1").bytes, manifest);
  EXPECT_EQ(client.list_tags("private/app"), std::vector<std::string>{"v1"});
}

TEST_F(RegistryBasicAuthTest, ReadsCredentialsFromTheAuthFile) {
  TempDir dir(temp_root(), "schicht-authfile");
  RegistryOptions options = test_options();
  options.auth_file = dir.path() / "auth.json";
  store_credentials(options.auth_file, server_->host(), Credentials{"alice", "s3cret"});
  RegistryClient client(server_->host(), options);
  std::string data = random_bytes(100, 10);
  Digest digest = push(client, "private/file", data);
  EXPECT_EQ(pull(client, "private/file", digest, data.size()), data);
}

TEST_F(RegistryBasicAuthTest, RefusesMissingOrWrongCredentials) {
  RegistryClient anonymous(server_->host(), test_options());
  std::string message =
      error_of(ErrorKind::kAuth, [&] { anonymous.get_manifest("private/app", "v1"); });
  EXPECT_NE(message.find("unauthorized"), std::string::npos) << message;
  RegistryOptions options = test_options();
  options.credentials = Credentials{"alice", "wrong"};
  RegistryClient wrong(server_->host(), options);
  error_of(ErrorKind::kAuth, [&] { wrong.list_tags("private/app"); });
  error_of(ErrorKind::kAuth, [&] { wrong.start_upload("private/app"); });
}

// A registry over TLS with a test CA; the client certificate test uses a second one that
// requires client certificates.
class RegistryTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (RegistryServer::binary().empty()) GTEST_SKIP() << "docker-registry is not installed";
    if (testing::find_program("openssl").empty()) GTEST_SKIP() << "openssl is not installed";
    dir_ = std::make_unique<TempDir>(temp_root(), "schicht-tls");
    ASSERT_TRUE(TestCertificates::make(dir_->path(), certs_));
    cert_dir_ = dir_->path() / "certs.d";
    make_dirs(cert_dir_);
    fs::copy_file(certs_.ca_cert, cert_dir_ / "ca.crt");
  }

  RegistryOptions secure_options() const {
    RegistryOptions options = test_options();
    options.insecure = false;
    options.cert_dir = cert_dir_;
    return options;
  }

  std::unique_ptr<TempDir> dir_;
  TestCertificates certs_;
  fs::path cert_dir_;
};

TEST_F(RegistryTlsTest, VerifiesAgainstTheCertDirsCa) {
  RegistryServer server({.tls = &certs_});
  RegistryClient client(server.host(), secure_options());
  EXPECT_EQ(client.ping(), "https://" + server.host());
  std::string data = random_bytes(50'000, 11);
  Digest digest = push(client, "tls/app", data);
  EXPECT_EQ(pull(client, "tls/app", digest, data.size()), data);

  RegistryOptions without_ca = secure_options();
  without_ca.cert_dir = dir_->path() / "empty";
  std::string message =
      error_of(ErrorKind::kNetwork, [&] { RegistryClient(server.host(), without_ca).ping(); });
  EXPECT_NE(message.find("certificate"), std::string::npos) << message;

  without_ca.tls_verify = false;
  EXPECT_EQ(RegistryClient(server.host(), without_ca).ping(), "https://" + server.host());
}

TEST_F(RegistryTlsTest, PresentsTheCertDirsClientCertificate) {
  RegistryServer server({.tls = &certs_, .require_client_certificate = true});
  error_of(ErrorKind::kNetwork, [&] { RegistryClient(server.host(), secure_options()).ping(); });
  fs::copy_file(certs_.client_cert, cert_dir_ / "client.cert");
  fs::copy_file(certs_.client_key, cert_dir_ / "client.key");
  RegistryClient client(server.host(), secure_options());
  EXPECT_EQ(client.ping(), "https://" + server.host());
  std::string data = random_bytes(1000, 12);
  Digest digest = push(client, "tls/mutual", data);
  EXPECT_EQ(pull(client, "tls/mutual", digest, data.size()), data);
}

}  // namespace
}  // namespace schicht::registry
