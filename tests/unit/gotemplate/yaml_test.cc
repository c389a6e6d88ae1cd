// Expected output is what podman 4.3 `info` printed for the same values (go-yaml v2 through
// sigs.k8s.io/yaml).
#include "gotemplate/yaml.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace schicht::gotemplate {
namespace {

using nlohmann::ordered_json;

TEST(GoYaml, KeysSortAsGoYamlSortsThem) {
  // Not letters before letters, digit runs by value.
  ordered_json v = {{"r10.example.com", 1},
                    {"r9.example.com", 2},
                    {"R1.example.com", 3},
                    {"_x.example.com", 4},
                    {"search", 5}};
  EXPECT_EQ(go_yaml(v),
            "_x.example.com: 4\nR1.example.com: 3\nr9.example.com: 2\nr10.example.com: 1\n"
            "search: 5\n");
}

TEST(GoYaml, ScalarStyles) {
  ordered_json v = {{"a", ""},
                    {"b", "12"},
                    {"c", "true"},
                    {"d", "conmon version 2.1.6, commit: unknown"},
                    {"e", "crun version 1.8.1\ncommit: f8a0\nspec: 1.0.0"},
                    {"f", "0h 6m 53.00s"},
                    {"g", nullptr},
                    {"h", ordered_json::object()},
                    {"i", 21900611584},
                    {"j", false},
                    {"k", "localhost:5000"},
                    {"l", "0.1.0"},
                    {"m", "1.5"}};
  EXPECT_EQ(go_yaml(v),
            "a: \"\"\n"
            "b: \"12\"\n"
            "c: \"true\"\n"
            "d: 'conmon version 2.1.6, commit: unknown'\n"
            "e: |-\n  crun version 1.8.1\n  commit: f8a0\n  spec: 1.0.0\n"
            "f: 0h 6m 53.00s\n"
            "g: null\n"
            "h: {}\n"
            "i: 21900611584\n"
            "j: false\n"
            "k: localhost:5000\n"
            "l: 0.1.0\n"
            "m: \"1.5\"\n");
}

TEST(GoYaml, SequencesStayAtTheMapsIndentation) {
  ordered_json v = {
      {"registries",
       {{"example.com/foo",
         {{"Mirrors", ordered_json::array({{{"Location", "m1"}, {"Insecure", false}}})},
          {"Prefix", "example.com/foo"}}},
        {"search", {"docker.io", "quay.io"}}}},
      {"empty", ordered_json::array()}};
  EXPECT_EQ(go_yaml(v),
            "empty: []\n"
            "registries:\n"
            "  example.com/foo:\n"
            "    Mirrors:\n"
            "    - Insecure: false\n"
            "      Location: m1\n"
            "    Prefix: example.com/foo\n"
            "  search:\n"
            "  - docker.io\n"
            "  - quay.io\n");
}

}  // namespace
}  // namespace schicht::gotemplate
