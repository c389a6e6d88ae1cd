// `trust set` and `trust show` on policy.json: the file as podman writes it, refusals that
// leave it unchanged, and the rows `show` lists.
#include "trust/policy_edit.h"

#include <gtest/gtest.h>

#include "core/fs.h"
#include "error_of.h"

namespace schicht::trust {
namespace {

class PolicyEditTest : public ::testing::Test {
 protected:
  PolicyEditTest() : dir_(temp_root(), "schicht-policy-edit-test") {}
  std::string path() const { return (dir_.path() / "policy.json").string(); }
  TempDir dir_;
};

TEST_F(PolicyEditTest, SetWritesWhatPodmanWrites) {
  set_trust(path(), "default", "reject", {});
  set_trust(path(), "quay.io/ns", "signedBy", {"/k.gpg"});
  set_trust(path(), "docker.io", "accept", {});
  EXPECT_EQ(read_policy_text(path()), R"({
    "default": [
        {
            "type": "reject"
        }
    ],
    "transports": {
        "docker": {
            "docker.io": [
                {
                    "type": "insecureAcceptAnything"
                }
            ],
            "quay.io/ns": [
                {
                    "type": "signedBy",
                    "keyType": "GPGKeys",
                    "keyPath": "/k.gpg"
                }
            ]
        }
    }
})");
}

TEST_F(PolicyEditTest, RefusalsWriteNothing) {
  EXPECT_EQ(error_of(ErrorKind::kInvalidInput, [&] { set_trust(path(), "quay.io", "accept", {}); }),
            "default trust policy must be set");
  EXPECT_EQ(
      error_of(ErrorKind::kInvalidInput, [&] { set_trust(path(), "default", "signedBy", {}); }),
      "at least one public key must be defined for type 'signedBy'");
  EXPECT_NE(error_of(ErrorKind::kInvalidInput, [&] { set_trust(path(), "default", "maybe", {}); })
                .find("invalid choice: maybe"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(path()));
  write_file_atomic(path(), "{not json");
  error_of(ErrorKind::kInvalidInput, [&] { set_trust(path(), "default", "accept", {}); });
  EXPECT_EQ(read_policy_text(path()), "{not json");
}

TEST_F(PolicyEditTest, ShowRowsNameTypesAsPodman) {
  set_trust(path(), "default", "accept", {});
  set_trust(path(), "quay.io", "sigstoreSigned", {"/k.pub"});
  set_trust(path(), "example.com", "signedBy", {(dir_.path() / "missing.gpg").string()});
  RegistriesD lookaside;
  std::vector<std::string> warnings;
  std::vector<TrustRow> rows =
      trust_rows(load_policy(path()), lookaside,
                 [&](const std::string& warning) { warnings.push_back(warning); });
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].transport, "all");
  EXPECT_EQ(rows[0].repo_name, "default");
  EXPECT_EQ(rows[0].type, "accept");
  EXPECT_EQ(rows[1].transport, "repository");
  EXPECT_EQ(rows[1].name, "example.com");
  EXPECT_EQ(rows[1].type, "signed");
  EXPECT_EQ(rows[1].gpg_id, "");
  EXPECT_EQ(rows[2].type, "sigstoreSigned");
  EXPECT_EQ(rows[2].gpg_id, "N/A");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("getting key identity: "), std::string::npos);
}

}  // namespace
}  // namespace schicht::trust
