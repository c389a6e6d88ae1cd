#include "core/beneath.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "../error_of.h"
#include "core/error.h"

namespace schicht {
namespace {

class Beneath : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<TempDir>(temp_root(), "beneath-test");
    layout_ = temp_->path() / "layout";
    fs::create_directories(layout_ / "blobs");
    std::ofstream(layout_ / "blobs" / "a") << "inside";
    std::ofstream(temp_->path() / "secret") << "outside";
    dir_ = open_dir(layout_);
  }
  std::string message_of(const fs::path& rel) {
    return error_of(ErrorKind::kInvalidInput,
                    [&] { open_regular_beneath(dir_.get(), rel, rel.string()); });
  }
  std::unique_ptr<TempDir> temp_;
  fs::path layout_;
  UniqueFd dir_;
};

TEST_F(Beneath, OpensRegularFilesAndLinksThatStayInside) {
  fs::create_symlink("blobs/a", layout_ / "link");
  fs::create_symlink("../blobs/a", layout_ / "blobs" / "up-and-back");
  struct stat st {};
  for (const char* rel : {"blobs/a", "link", "blobs/up-and-back"}) {
    UniqueFd fd = open_regular_beneath(dir_.get(), rel, rel, &st);
    EXPECT_EQ(st.st_size, 6) << rel;
  }
}

TEST_F(Beneath, RefusesPathsLeavingTheDirectory) {
  fs::create_symlink(temp_->path() / "secret", layout_ / "absolute");
  fs::create_symlink("../../secret", layout_ / "blobs" / "relative");
  fs::create_symlink(temp_->path(), layout_ / "dir-outside");
  for (const char* rel : {"absolute", "blobs/relative", "dir-outside/secret", "../secret"}) {
    EXPECT_NE(message_of(rel).find("refusing a path that leaves the directory"), std::string::npos)
        << rel;
  }
}

TEST_F(Beneath, RefusesSpecialFilesWithoutOpeningThem) {
  ASSERT_EQ(::mkfifo((layout_ / "fifo").c_str(), 0600), 0);
  // A FIFO with no writer would block an open for reading forever.
  EXPECT_NE(message_of("fifo").find("a FIFO is not allowed here"), std::string::npos);
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = (layout_ / "sock").string();
  ASSERT_LT(path.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(sock);
  EXPECT_NE(message_of("sock").find("a socket is not allowed here"), std::string::npos);
  EXPECT_NE(message_of("blobs").find("a directory is not allowed here"), std::string::npos);
  EXPECT_NE(
      error_of(ErrorKind::kNotFound, [&] { open_regular_beneath(dir_.get(), "nope", "nope"); })
          .find("nope: no such file"),
      std::string::npos);
}

}  // namespace
}  // namespace schicht
