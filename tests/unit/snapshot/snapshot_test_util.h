// Helpers shared by the snapshot unit tests: layer tars built in memory, a scratch area with a
// root to extract into and a sentinel directory beside it that no layer may ever touch.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "archive/tar_writer.h"
#include "core/error.h"
#include "core/fs.h"
#include "core/io.h"
#include "snapshot/apply.h"
#include "snapshot/safe_tree.h"

namespace schicht::snapshot::test {

inline constexpr std::string_view kSecret = "sentinel content\n";

// Builds an uncompressed layer tar entry by entry.
class LayerTar {
 public:
  LayerTar() : writer_(out_) {}

  LayerTar& file(std::string_view path, std::string_view data = "", uint32_t mode = 0644,
                 int64_t mtime = 1700000000) {
    writer_.add_file(path, data, mode, mtime);
    return *this;
  }
  LayerTar& dir(std::string_view path, uint32_t mode = 0755, int64_t mtime = 1700000000) {
    writer_.add_directory(path, mode, mtime);
    return *this;
  }
  LayerTar& symlink(std::string_view path, std::string_view target) {
    writer_.add_symlink(path, target, 1700000000);
    return *this;
  }
  LayerTar& hardlink(std::string_view path, std::string_view target) {
    TarEntry entry;
    entry.path = path;
    entry.type = TarEntry::Type::kHardlink;
    entry.link_target = target;
    entry.mode = 0644;
    return add(entry);
  }
  LayerTar& special(std::string_view path, TarEntry::Type type, uint32_t major = 0,
                    uint32_t minor = 0) {
    TarEntry entry;
    entry.path = path;
    entry.type = type;
    entry.mode = 0644;
    entry.dev_major = major;
    entry.dev_minor = minor;
    return add(entry);
  }
  LayerTar& add(const TarEntry& entry, std::string_view data = "") {
    StringReader reader(data);
    writer_.add_entry(entry, &reader);
    return *this;
  }
  std::string finish() {
    writer_.finish();
    return out_.str();
  }

 private:
  StringWriter out_;
  TarWriter writer_;
};

inline std::optional<struct stat> lstat_of(const fs::path& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return st;
}

inline bool present(const fs::path& path) {
  return lstat_of(path).has_value();
}

inline std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

template <typename Fn>
Error error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error thrown";
  return Error(ErrorKind::kInternal, "no error thrown");
}

// base/root is extracted into; base/outside holds a sentinel file; base/x is a sentinel file a
// "../.wh.x" whiteout would hit. Nothing else may ever appear in base.
class ApplyTest : public ::testing::Test {
 protected:
  ApplyTest() : base_(fs::temp_directory_path(), "schicht-apply-test") {
    make_dirs(root());
    make_dirs(outside());
    write_file_atomic(outside() / "secret", kSecret);
    write_file_atomic(base_.path() / "x", kSecret);
  }

  // TempDir cannot empty read-only directories when not root; remove_tree_at() can.
  ~ApplyTest() override {
    ignore_error("a leftover test directory is harmless", [&] {
      UniqueFd base(::open(base_.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      remove_tree_at(base.get(), "root");
    });
  }

  fs::path root() const { return base_.path() / "root"; }
  fs::path outside() const { return base_.path() / "outside"; }

  ApplyStats apply(const std::string& tar, ApplyOptions options = {}) {
    if (options.name == "layer") options.name = "layer sha256:test";
    StringReader reader(tar);
    return apply_layer(reader, root(), options);
  }

  // Applies a layer that must be refused; returns the message.
  std::string refused(const std::string& tar, ApplyOptions options = {}) {
    Error e = error_of([&] { apply(tar, options); });
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidInput) << e.what();
    return e.what();
  }

  void expect_outside_untouched() const {
    EXPECT_EQ(names_in(base_.path()), (std::set<std::string>{"outside", "root", "x"}));
    EXPECT_EQ(names_in(outside()), std::set<std::string>{"secret"});
    EXPECT_EQ(read_file(outside() / "secret"), kSecret);
    EXPECT_EQ(read_file(base_.path() / "x"), kSecret);
    EXPECT_EQ(lstat_of(outside() / "secret")->st_nlink, 1u);
  }

  TempDir base_;
};

}  // namespace schicht::snapshot::test
