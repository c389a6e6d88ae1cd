// image analyze's accounting: which files a layer adds, modifies and removes, and which bytes
// are wasted (overwritten or deleted above), whiteouts and opaque directories included.
#include "images/analyze.h"

#include <gtest/gtest.h>

#include "images_model_test_util.h"

namespace schicht::images {
namespace {

std::vector<LayerAnalysis> layers(size_t n) {
  std::vector<LayerAnalysis> out;
  for (size_t i = 0; i < n; ++i) {
    Digest d = Digest::sha256_of(std::to_string(i));
    out.push_back(LayerAnalysis{.digest = d, .diff_id = d});
  }
  return out;
}

TEST(FileAccounting, OverwrittenAndDeletedFilesAreWaste) {
  FileAccounting a(layers(3));
  a.file(0, "etc/big", 100);
  a.file(0, "etc/keep", 10);
  a.file(0, "var/cache/x", 30);
  a.file(1, "etc/big", 5);   // modifies: layer 0's 100 bytes are wasted
  a.remove(2, "var/cache");  // a whiteout of a directory: what is under it goes
  EXPECT_EQ(a.total(), 145u);
  EXPECT_EQ(a.wasted(), 130u);
  EXPECT_EQ(a.layers()[0].added, 3u);
  EXPECT_EQ(a.layers()[0].wasted, 130u);
  EXPECT_EQ(a.layers()[1].modified, 1u);
  EXPECT_EQ(a.layers()[2].removed, 1u);
  ASSERT_EQ(a.wasted_files().size(), 2u);
  EXPECT_EQ(a.wasted_files()[0].path, "etc/big");
}

TEST(FileAccounting, OpaqueDirectoryHidesOnlyLowerLayers) {
  FileAccounting a(layers(2));
  a.file(0, "d/old", 7);
  a.file(0, "other", 1);
  a.file(1, "d/new", 3);
  a.opaque(1, "d");
  EXPECT_EQ(a.wasted(), 7u);
  EXPECT_EQ(a.layers()[1].removed, 1u);
  a.opaque(1, "");  // the root: everything below goes
  EXPECT_EQ(a.wasted(), 8u);
}

class AnalyzeTest : public test::ModelTest {};

TEST_F(AnalyzeTest, ImageFromItsLayers) {
  using test::layer_tar;
  std::vector<std::string> tars = {
      layer_tar({{"app/", ""}, {"app/big", std::string(1000, 'x')}, {"app/small", "s"}}),
      layer_tar({{"app/.wh.big", ""}, {"app/small", "ss"}})};
  auto image = add_with_config(
      R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},)"
      R"("history":[{"created_by":"ADD app"},{"created_by":"ENV X=1","empty_layer":true},)"
      R"({"created_by":"RUN rm app/big"}]})",
      {put_layer("l1"), put_layer("l2")}, {"localhost/a:1"});
  auto sources = test::sources_of(tars);
  ImageAnalysis result = analyze_image(store_, image.id, sources);
  ASSERT_EQ(result.layers.size(), 2u);
  EXPECT_EQ(result.layers[0].created_by, "ADD app");
  EXPECT_EQ(result.layers[1].created_by, "RUN rm app/big");
  EXPECT_EQ(result.layers[1].digest, image.layers[1].digest);
  EXPECT_EQ(result.total_bytes, 1003u);
  EXPECT_EQ(result.wasted_bytes, 1001u);
  EXPECT_DOUBLE_EQ(result.efficiency, 2.0 / 1003.0);
  ASSERT_EQ(result.largest_wasted.size(), 2u);
  EXPECT_EQ(result.largest_wasted[0].path, "app/big");
  EXPECT_EQ(result.largest_wasted[0].bytes, 1000u);
  EXPECT_EQ(result.largest_wasted[0].layer, 0u);
}

TEST(AnalysisJson, TheDocumentFormatShows) {
  ImageAnalysis a;
  a.layers = layers(2);
  a.layers[0].bytes = 100;
  a.layers[0].added = 2;
  a.layers[0].wasted = 40;
  a.layers[1].created_by = "RUN rm /big";
  a.layers[1].removed = 1;
  a.total_bytes = 100;
  a.wasted_bytes = 40;
  a.efficiency = 0.6;
  a.largest_wasted = {WastedFile{.path = "big", .bytes = 40, .layer = 0}};
  Digest id = Digest::sha256_of("image");
  std::string l0 = a.layers[0].digest.str(), l1 = a.layers[1].digest.str();
  EXPECT_EQ(analysis_json(id, a).dump(),
            R"({"image":")" + std::string(id.hex()) +
                R"(","totalBytes":100,"wastedBytes":40,"efficiency":0.6,"layers":[)"
                R"({"digest":")" +
                l0 + R"(","diffID":")" + l0 +
                R"(","bytes":100,"added":2,"modified":0,"removed":0,"wastedBytes":40,)"
                R"("createdBy":""},{"digest":")" +
                l1 + R"(","diffID":")" + l1 +
                R"(","bytes":0,"added":0,"modified":0,"removed":1,"wastedBytes":0,)"
                R"("createdBy":"RUN rm /big"}],"largestWasted":[{"path":"big","bytes":40,)"
                R"("layer":")" +
                l0 + R"("}]})");
}

}  // namespace
}  // namespace schicht::images
