// The inspect document and history rows of a stored image: podman's fields in podman's order,
// names split into tags and digests, history entries matched with the layers they made.
#include "images/inspect.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "images_model_test_util.h"

namespace schicht::images {
namespace {

using Strings = std::vector<std::string>;

constexpr char kConfig[] = R"({"architecture":"arm64","variant":"v8","os":"linux",
  "created":"2024-01-02T03:04:05.123456789Z","author":"someone",
  "config":{"User":"app","Env":["A=1"],"Cmd":["sh"],"Labels":{"l":"v"},"WorkingDir":"/w"},
  "rootfs":{"type":"layers","diff_ids":["sha256:1111111111111111111111111111111111111111111111111111111111111111",
                                        "sha256:2222222222222222222222222222222222222222222222222222222222222222"]},
  "history":[{"created":"2024-01-01T00:00:00Z","created_by":"ADD base","comment":"first"},
             {"created":"2024-01-02T00:00:00Z","created_by":"ENV A=1","empty_layer":true},
             {"created_by":"RUN make"}]})";

class InspectTest : public test::ModelTest {};

TEST_F(InspectTest, DocumentHoldsPodmansFieldsInOrder) {
  auto image = add_with_config(kConfig, {put_layer("one"), put_layer("two")},
                               {"localhost/a:1", "localhost/b@sha256:" + std::string(64, 'c')});
  nlohmann::ordered_json doc = inspect_json(store_, image.id);
  Strings keys;
  for (auto it = doc.begin(); it != doc.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (Strings{"Id",           "Digest",  "RepoTags",    "RepoDigests", "Parent",
                           "Comment",      "Created", "Config",      "Version",     "Author",
                           "Architecture", "Variant", "Os",          "Size",        "VirtualSize",
                           "GraphDriver",  "RootFS",  "Labels",      "Annotations", "ManifestType",
                           "User",         "History", "NamesHistory"}));
  EXPECT_EQ(doc["Id"], std::string(image.id.hex()));
  EXPECT_EQ(doc["RepoTags"], (Strings{"localhost/a:1"}));
  EXPECT_EQ(doc["Comment"], "first");  // the first history entry's, the config having none
  EXPECT_EQ(doc["Created"], "2024-01-02T03:04:05.123456789Z");
  EXPECT_EQ(doc["Config"].dump(),
            R"({"User":"app","Env":["A=1"],"Cmd":["sh"],"WorkingDir":"/w","Labels":{"l":"v"}})");
  EXPECT_EQ(doc["Annotations"]["org.example.note"], "hello");
  EXPECT_EQ(doc["RootFS"]["Layers"].size(), 2u);
  EXPECT_EQ(doc["History"][1].dump(),
            R"({"created":"2024-01-02T00:00:00Z","created_by":"ENV A=1","empty_layer":true})");
  EXPECT_FALSE(doc.contains("Healthcheck"));
}

TEST_F(InspectTest, UnknownImageIsNotFound) {
  Digest missing = Digest::sha256_of("no such image");
  EXPECT_NE(error_of(ErrorKind::kNotFound, [&] { inspect_json(store_, missing); })
                .find("image not known"),
            std::string::npos);
}

TEST_F(InspectTest, DamagedConfigIsAnIntegrityError) {
  auto image = add_with_config(kConfig, {put_layer("one")}, {"localhost/a:1"});
  fs::path blob = store_.blobs().path_of(image.id);
  fs::remove(blob);
  write_file_atomic(blob, "{}");
  error_of(ErrorKind::kIntegrity, [&] { image_config(store_, image.id); });
}

TEST_F(InspectTest, RepoDigestsPairEveryRepositoryWithEveryDigest) {
  store::ImageInfo info = *store_.image(add("x", {put_layer("l")}, {"localhost/a:1"}).id);
  info.names = {"localhost/a:1", "localhost/a:2", "localhost/b:1", "not a reference!"};
  Digest d1 = Digest::sha256_of("1"), d2 = Digest::sha256_of("2");
  info.digests = {d1, d2};
  EXPECT_EQ(repo_digests(info), (Strings{"localhost/a@" + d1.str(), "localhost/a@" + d2.str(),
                                         "localhost/b@" + d1.str(), "localhost/b@" + d2.str()}));
  EXPECT_EQ(repo_tags(info),
            (Strings{"localhost/a:1", "localhost/a:2", "localhost/b:1", "not a reference!"}));
}

TEST_F(InspectTest, HistoryRowsNewestFirstWithTheLayersTheyMade) {
  auto image = add_with_config(kConfig, {put_layer("one"), put_layer("three")}, {"localhost/a:1"});
  auto rows = history_rows(store_, image.id);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[0].top);
  EXPECT_EQ(rows[0].id, std::string(image.id.hex()));
  EXPECT_EQ(rows[0].created_by, "RUN make");
  EXPECT_EQ(rows[0].created_ns, 0);
  EXPECT_EQ(rows[0].size, std::string("three").size() * 3);  // the top layer, uncompressed
  EXPECT_EQ(rows[1].id, "<missing>");
  EXPECT_EQ(rows[1].size, 0u);  // an empty layer
  EXPECT_EQ(rows[2].size, std::string("one").size() * 3);
  EXPECT_EQ(rows[2].comment, "first");
  EXPECT_EQ(rows[2].created_ns, 1'704'067'200'000'000'000);
}

TEST(HistoryJson, CompactWithGoEscapesAndCommentOnlyWhenThere) {
  std::vector<HistoryRow> rows = {
      HistoryRow{.id = "abc",
                 .top = true,
                 .created = "2024-01-01T00:00:00Z",
                 .created_ns = 1'704'067'200'000'000'000,
                 .created_by = "RUN a && b > c",
                 .comment = "",
                 .size = 12},
      HistoryRow{.id = "<missing>", .comment = "first"},
  };
  EXPECT_EQ(history_json(rows),
            R"([{"id":"abc","created":"2024-01-01T00:00:00Z","CreatedBy":"RUN a \u0026\u0026 b )"
            R"(\u003e c","size":12,"Created":"2024-01-01T00:00:00Z"},{"id":"\u003cmissing\u003e",)"
            R"("created":"","CreatedBy":"","size":0,"comment":"first",)"
            R"("Created":"1970-01-01T00:00:00Z"}])");
}

}  // namespace
}  // namespace schicht::images
