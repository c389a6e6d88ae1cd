// A few files of an image's root filesystem, read from its layers' tars without extracting
// anything: the layers are replayed bottom first, whiteouts and opaque directories hiding what
// lower layers hold, so the top-most version of a file wins; symlinks are kept (targets only)
// so a path can be resolved inside the tree as the kernel would (/etc/os-release ->
// ../usr/lib/os-release). Only the contents of the files a caller asks for are kept, each and
// all of them under limits that name themselves.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/io.h"

namespace schicht::sbom {

// One layer: how errors name it, and how to open its uncompressed tar.
struct LayerInput {
  std::string name;
  std::function<std::unique_ptr<Reader>()> open;
};

// Bounds on what a hostile image can make us hold in memory.
inline constexpr size_t kMaxKeptFileBytes = size_t{64} << 20;    // one package database
inline constexpr size_t kMaxKeptTotalBytes = size_t{256} << 20;  // all kept files of a stack
inline constexpr size_t kMaxKeptFiles = 100000;                  // status.d holds one per package
inline constexpr size_t kMaxSymlinks = 2000000;
inline constexpr int kMaxSymlinkHops = 40;  // as Linux's ELOOP

class RootfsFiles {
 public:
  // Which files to keep, by root-relative clean path ("var/lib/dpkg/status"): their contents,
  // or only that they exist (kept as empty: a database that is noted, never read).
  enum class Want { kNo, kContents, kPresence };
  using Wanted = std::function<Want(std::string_view path)>;

  // Replays `layers` (bottom first). A layer that is not a tar, or a kept file over a limit,
  // fails with kInvalidInput naming the layer and the path.
  static RootfsFiles read(std::span<const LayerInput> layers, const Wanted& wanted);

  // Tests and the fuzz target: one layer from memory.
  void apply(Reader& layer_tar, std::string_view layer_name, const Wanted& wanted);

  // The path with every symlink in it resolved inside the tree (nullopt: a loop); absolute or
  // root-relative input, root-relative output.
  std::optional<std::string> resolve(std::string_view path) const;
  // The contents of a kept file at `path` (symlinks followed), nullptr when absent.
  const std::string* find(std::string_view path) const;
  // Kept files directly in directory `dir` (symlinks followed), by name in byte order.
  std::vector<std::pair<std::string, const std::string*>> list(std::string_view dir) const;

 private:
  void remove_tree(const std::string& path, bool self);

  std::map<std::string, std::string> files_;     // path -> contents
  std::map<std::string, std::string> symlinks_;  // path -> target as stored
  size_t kept_bytes_ = 0;
};

}  // namespace schicht::sbom
