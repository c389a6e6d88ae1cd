// inspect's --format as podman rewrites it, and the Go view its templates run over.
#include "render/inspect_format.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace schicht::render {
namespace {

using nlohmann::ordered_json;

TEST(InspectNormalize, IdBecomesIDAndOldFieldNamesTheirFields) {
  EXPECT_EQ(inspect_normalize("{{.Id}} {{ .Id }}", true), "{{.ID}} {{.ID}}");
  EXPECT_EQ(inspect_normalize("{{.Src}} {{.Dst}} {{.ImageID}}", false),
            "{{.Source}} {{.Destination}} {{.Image}}");
  // Only an image has a Config.Healthcheck to rename.
  EXPECT_EQ(inspect_normalize("{{.Config.Healthcheck}}", true), "{{.HealthCheck}}");
  EXPECT_EQ(inspect_normalize("{{.Config.Healthcheck}}", false), "{{.Config.Healthcheck}}");
  // {{.Id}} inside a larger action is left alone, as podman's regexp leaves it.
  EXPECT_EQ(inspect_normalize("{{printf \"%s\" .Id}}", true), "{{printf \"%s\" .Id}}");
}

TEST(InspectTemplateView, GoFieldNamesAndANilHealthCheck) {
  ordered_json doc = {{"Id", "abc"}, {"RootFS", {{"Type", "layers"}}}};
  ordered_json view = inspect_template_view(doc);
  EXPECT_EQ(view.dump(), R"({"ID":"abc","RootFS":{"Type":"layers"},"HealthCheck":null})");
  ordered_json container = {{"Id", "c"}, {"Healthcheck", {{"Test", {"NONE"}}}}};
  EXPECT_EQ(inspect_template_view(container).dump(),
            R"({"ID":"c","HealthCheck":{"Test":["NONE"]}})");
}

}  // namespace
}  // namespace schicht::render
