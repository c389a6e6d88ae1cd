// image rollback: a name back to the image it named before its last move, or an error that says
// why not and leaves the store as it was.
#include "images/rollback.h"

#include <gtest/gtest.h>

#include "images_model_test_util.h"

namespace schicht::images {
namespace {

class RollbackTest : public test::ModelTest {};

TEST_F(RollbackTest, NameGoesBackToItsPreviousImage) {
  auto first = add("first", {put_layer("1")}, {"localhost/app:1"});
  auto second = add("second", {put_layer("2")}, {});
  store_.tag(second.id, "localhost/app:1", "tag");
  EXPECT_EQ(rollback_name(store_, stored_name("localhost/app:1")), first.id);
  EXPECT_EQ(store_.image(first.id)->names, std::vector<std::string>{"localhost/app:1"});
  EXPECT_EQ(store_.tag_log({"localhost/app:1"}).front().action, "rollback");
}

TEST_F(RollbackTest, ErrorsSayWhyAndChangeNothing) {
  add("only", {put_layer("1")}, {"localhost/app:1"});
  EXPECT_NE(error_of(ErrorKind::kNotFound, [&] { rollback_name(store_, "localhost/none:1"); })
                .find("the name has no history"),
            std::string::npos);
  EXPECT_NE(error_of(ErrorKind::kNotFound, [&] { rollback_name(store_, "localhost/app:1"); })
                .find("nothing to roll back to"),
            std::string::npos);
  EXPECT_EQ(store_.tag_log({"localhost/app:1"}).size(), 1u);
  EXPECT_EQ(stored_name("app"), "localhost/app:latest");
  error_of(ErrorKind::kInvalidInput, [&] { stored_name("UPPER case"); });
}

}  // namespace
}  // namespace schicht::images
