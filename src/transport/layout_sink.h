// Where save writes files: entries of a tar stream, or files under a directory. Internal to
// transport/.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "archive/tar_writer.h"
#include "core/fs.h"
#include "core/io.h"

namespace schicht::transport {

class LayoutSink {
 public:
  virtual ~LayoutSink() = default;
  virtual void file(std::string_view path, uint64_t size, Reader& data) = 0;
  void file(std::string_view path, std::string_view bytes) {
    StringReader reader(bytes);
    file(path, bytes.size(), reader);
  }
  virtual void finish() = 0;
};

// Entries are read-only with time 0, as containers/image writes archives.
class TarSink final : public LayoutSink {
 public:
  explicit TarSink(Writer& out) : tar_(out) {}
  using LayoutSink::file;
  void file(std::string_view path, uint64_t size, Reader& data) override {
    tar_.add_file(path, size, data, 0444, 0);
  }
  void finish() override { tar_.finish(); }

 private:
  TarWriter tar_;
};

class DirSink final : public LayoutSink {
 public:
  explicit DirSink(fs::path dir) : dir_(std::move(dir)) { make_dirs(dir_); }
  using LayoutSink::file;
  void file(std::string_view path, uint64_t size, Reader& data) override;
  void finish() override { fsync_dir(dir_); }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

}  // namespace schicht::transport
