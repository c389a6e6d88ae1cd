// Fuzz-style: docker-archives whose manifest.json and config are mutated (wrong JSON types,
// huge numbers, cut or flipped bytes, documents over 1 MiB) either load or fail with a
// schicht::Error through the copy engine's load; no std exception (out_of_range, length_error,
// nlohmann's, ...) escapes, and a failed load leaves no blob behind. Deterministic: a fixed seed.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "archive/tar_writer.h"
#include "copy/store_input.h"
#include "core/digest.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/io.h"
#include "store/store.h"

namespace schicht::copy {
namespace {

std::string tar_of(const std::vector<std::pair<std::string, std::string>>& files) {
  StringWriter writer;
  TarWriter tar(writer);
  for (const auto& [name, data] : files) tar.add_file(name, data);
  tar.finish();
  return writer.str();
}

struct Archive {
  std::string layer = tar_of({{"hello", "world\n"}});
  std::string config;
  std::string manifest;

  std::string bytes() const {
    return tar_of({{"layer.tar", layer}, {"config.json", config}, {"manifest.json", manifest}});
  }
};

Archive valid_archive() {
  Archive a;
  std::string diff_id = Digest::sha256_of(a.layer).str();
  a.config = R"({"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers",)"
             R"("diff_ids":[")" +
             diff_id + R"("]}})";
  a.manifest = R"([{"Config":"config.json","RepoTags":["fuzz:1"],"Layers":["layer.tar"]}])";
  return a;
}

size_t blob_count(const fs::path& root) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(root / "blobs" / "sha256")) n += !e.is_directory();
  return n;
}

// Loads `bytes` into a fresh store: true when it loaded; a failure must be a schicht::Error and
// leave no blob.
bool load_checked(const std::string& bytes, const std::string& what) {
  TempDir dir(temp_root(), "schicht-load-fuzz");
  store::Store store(dir.path() / "root");
  StringReader in(bytes);
  try {
    // No policy: the format is tested. A stream goes through a temp file in the store.
    load_archive(store, LoadInput{.stream = &in, .name = "fuzz.tar"}, nullptr);
    return true;
  } catch (const Error& e) {
    EXPECT_EQ(blob_count(dir.path() / "root"), 0u) << what << ": " << e.what();
    EXPECT_TRUE(fs::is_empty(store.blobs().ingest_dir())) << what << ": " << e.what();
    EXPECT_EQ(std::string(e.what()).find("internal error"), std::string::npos) << e.what();
    return false;
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": a std exception escaped: " << e.what();
    return false;
  }
}

TEST(ArchiveLoadFuzz, ValidArchiveLoads) {
  EXPECT_TRUE(load_checked(valid_archive().bytes(), "valid"));
}

TEST(ArchiveLoadFuzz, DocumentsOverOneMiBLoad) {
  Archive a = valid_archive();
  a.config.insert(a.config.size() - 1, R"(,"padding":")" + std::string(1500 << 10, 'p') + "\"");
  EXPECT_TRUE(load_checked(a.bytes(), "big config"));
  Archive b = valid_archive();
  b.manifest.insert(b.manifest.size() - 2, R"(,"Padding":")" + std::string(1500 << 10, 'p') + "\"");
  EXPECT_TRUE(load_checked(b.bytes(), "big manifest.json"));
}

TEST(ArchiveLoadFuzz, WrongTypesAndValuesNeverEscapeAsStdExceptions) {
  const std::vector<std::string> values = {"null",
                                           "true",
                                           "-1",
                                           "1e999",
                                           "18446744073709551616",
                                           "\"\"",
                                           "\"../x\"",
                                           "[]",
                                           "{}",
                                           "[null]",
                                           "[1,2]",
                                           "\"" + std::string(2 << 20, 'a') + "\""};
  const std::vector<std::string> manifest_templates = {
      R"([{"Config":@,"RepoTags":["fuzz:1"],"Layers":["layer.tar"]}])",
      R"([{"Config":"config.json","RepoTags":@,"Layers":["layer.tar"]}])",
      R"([{"Config":"config.json","RepoTags":[@],"Layers":["layer.tar"]}])",
      R"([{"Config":"config.json","RepoTags":["fuzz:1"],"Layers":@}])",
      R"([{"Config":"config.json","RepoTags":["fuzz:1"],"Layers":[@]}])",
      R"(@)",
      R"([@])",
  };
  const std::vector<std::string> config_templates = {
      R"({"architecture":@,"os":"linux","rootfs":{"type":"layers","diff_ids":["D"]}})",
      R"({"architecture":"amd64","os":"linux","created":@,"rootfs":{"type":"layers","diff_ids":["D"]}})",
      R"({"architecture":"amd64","os":"linux","config":@,"rootfs":{"type":"layers","diff_ids":["D"]}})",
      R"({"architecture":"amd64","os":"linux","rootfs":@})",
      R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":@}})",
      R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[@]}})",
      R"({"architecture":"amd64","os":"linux","history":@,"rootfs":{"type":"layers","diff_ids":["D"]}})",
      R"({"architecture":"amd64","os":"linux","config":{"Labels":@},"rootfs":{"type":"layers","diff_ids":["D"]}})",
  };
  Archive base = valid_archive();
  std::string diff_id = Digest::sha256_of(base.layer).str();
  auto fill = [](std::string text, const std::string& value, const std::string& diff) {
    text.replace(text.find('@'), 1, value);
    if (size_t d = text.find("\"D\""); d != std::string::npos)
      text.replace(d, 3, "\"" + diff + "\"");
    return text;
  };
  for (const auto& t : manifest_templates) {
    for (const auto& v : values) {
      Archive a = base;
      a.manifest = fill(t, v, diff_id);
      load_checked(a.bytes(), "manifest.json " + a.manifest.substr(0, 200));
    }
  }
  for (const auto& t : config_templates) {
    for (const auto& v : values) {
      Archive a = base;
      a.config = fill(t, v, diff_id);
      load_checked(a.bytes(), "config " + a.config.substr(0, 200));
    }
  }
}

TEST(ArchiveLoadFuzz, CutAndFlippedBytesNeverEscapeAsStdExceptions) {
  std::mt19937 random(20261206);
  Archive base = valid_archive();
  for (int round = 0; round < 60; ++round) {
    Archive a = base;
    std::string& doc = round % 2 == 0 ? a.manifest : a.config;
    std::uniform_int_distribution<size_t> at(0, doc.size() - 1);
    switch (round % 3) {
      case 0:
        doc.resize(at(random));
        break;
      case 1:
        doc[at(random)] = static_cast<char>(random());
        break;
      default:
        doc.insert(at(random), std::string(1 + random() % 4, "{[\"]}:,0\\"[random() % 9]));
        break;
    }
    load_checked(a.bytes(), "round " + std::to_string(round));
  }
}

}  // namespace
}  // namespace schicht::copy
