#include "store/names_journal.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "store/db.h"
#include "store/lost_database.h"
#include "store_test_util.h"

namespace schicht::store::test {
namespace {

using Names = std::vector<std::pair<std::string, Digest>>;

TEST_F(StoreTest, TheJournalEndsWithTheNamesTheDatabaseHas) {
  NewImage one = add("one", {put_layer("l1")}, {"localhost/one:1"});
  NewImage two = add("two", {put_layer("l2")}, {"localhost/two:1"});
  store_.tag(one.id, "localhost/shared:1");
  store_.tag(two.id, "localhost/shared:1");  // moved
  store_.tag(one.id, "localhost/gone:1");
  store_.untag("localhost/gone:1");
  store_.remove_image(one.id);
  Names want = {{"localhost/two:1", two.id}, {"localhost/shared:1", two.id}};
  EXPECT_EQ(replay_names_journal(store_.root()), want);
}

TEST_F(StoreTest, ARolledBackNameChangeIsNotJournaled) {
  NewImage one = add("one", {put_layer("l1")}, {"localhost/one:1"});
  {
    Transaction txn(store_.db());
    Statement(store_.db(),
              "INSERT INTO tag_log(time, name, action, from_image, to_image) "
              "VALUES (1, 'localhost/never:1', 'tag', NULL, ?)")
        .bind(1, one.id.str())
        .run();
  }  // rolled back
  Names want = {{"localhost/one:1", one.id}};
  EXPECT_EQ(replay_names_journal(store_.root()), want);
}

TEST_F(StoreTest, AMissingJournalIsSeededOnOpenAndNotRecreatedByAppends) {
  NewImage one = add("one", {put_layer("l1")}, {"localhost/one:1"});
  fs::remove(names_journal_path(store_.root()));
  // An append never creates it: it would lack every earlier name.
  store_.tag(one.id, "localhost/one:2");
  EXPECT_FALSE(fs::exists(names_journal_path(store_.root())));
  {
    Store again(store_.root());  // seeds it from the names table
  }
  Names want = {{"localhost/one:1", one.id}, {"localhost/one:2", one.id}};
  EXPECT_EQ(replay_names_journal(store_.root()), want);
}

TEST_F(StoreTest, BlobsWithoutADatabaseAreAnError) {
  add("one", {put_layer("l1")}, {"localhost/one:1"});
  fs::path root = store_.root();
  fs::remove(root / "db.sqlite");
  std::string message = error_of(ErrorKind::kIntegrity, [&] { Store lost(root); });
  EXPECT_NE(message.find("system check --recover"), std::string::npos) << message;
  // No new database was made beside the blobs.
  EXPECT_FALSE(fs::exists(root / "db.sqlite"));
}

}  // namespace
}  // namespace schicht::store::test
