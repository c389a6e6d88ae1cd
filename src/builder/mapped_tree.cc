#include "builder/mapped_tree.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "builder/id_map.h"
#include "core/error.h"

namespace schicht::builder {
namespace {

const IdMapping* subordinate_mapping() {
  const IdMapping* ids = rootless_mapping();
  return ids != nullptr && ids->subordinate ? ids : nullptr;
}

// A scratch file beside `root`, removed when this goes.
class Scratch {
 public:
  Scratch(const fs::path& root, const char* what)
      : path_(root.parent_path() / fmt::format(".{}-{}", what, root.filename().string())) {}
  ~Scratch() { ::unlink(path_.c_str()); }
  const fs::path& path() const { return path_; }
  UniqueFd create() const {
    UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd) fail_errno("create", path_.string());
    return fd;
  }

 private:
  fs::path path_;
};

}  // namespace

bool builds_in_namespace() {
  return subordinate_mapping() != nullptr;
}

void in_build_namespace(const std::function<void()>& fn) {
  const IdMapping* ids = subordinate_mapping();
  if (ids == nullptr) return fn();
  run_as_mapped_root(*ids, fn);
}

std::string from_build_namespace(const std::function<std::string()>& fn) {
  const IdMapping* ids = subordinate_mapping();
  if (ids == nullptr) return fn();
  return run_as_mapped_root_for(*ids, fn);
}

TreeState scan_build_tree(const fs::path& root) {
  const IdMapping* ids = subordinate_mapping();
  if (ids == nullptr) return scan_tree(root);
  Scratch scratch(root, "scan");
  run_as_mapped_root(*ids, [&] {
    std::string bytes;
    for (const auto& [path, stamp] : scan_tree(root)) {
      bytes += path;
      bytes += '\0';
      bytes.append(reinterpret_cast<const char*>(&stamp), sizeof stamp);
    }
    UniqueFd fd = scratch.create();
    FdWriter(fd.get(), scratch.path().string()).write(bytes);
  });
  std::string bytes = read_file(scratch.path());
  TreeState state;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t nul = bytes.find('\0', pos);
    if (nul == std::string::npos || bytes.size() - nul - 1 < sizeof(NodeStamp))
      fail(ErrorKind::kIo, "reading the tree scan of the user namespace: truncated");
    NodeStamp stamp;
    std::memcpy(&stamp, bytes.data() + nul + 1, sizeof stamp);
    state.emplace(bytes.substr(pos, nul - pos), stamp);
    pos = nul + 1 + sizeof stamp;
  }
  return state;
}

void write_build_diff(const fs::path& root, const TreeState& before, Writer& out,
                      const DiffOptions& options) {
  const IdMapping* ids = subordinate_mapping();
  if (ids == nullptr) {
    write_diff(root, before, out, options);
    return;
  }
  Scratch scratch(root, "diff");
  run_as_mapped_root(*ids, [&] {
    UniqueFd fd = scratch.create();
    FdWriter tar(fd.get(), scratch.path().string());
    DiffOptions inside = options;
    inside.owners_as_seen = true;  // the namespace already shows the container's owners
    write_diff(root, before, tar, inside);
  });
  UniqueFd fd(::open(scratch.path().c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) fail_errno("open", scratch.path().string());
  FdReader in(fd.get(), scratch.path().string());
  std::vector<char> buffer(kIoBufferSize);
  while (size_t n = in.read(buffer.data(), buffer.size())) out.write(buffer.data(), n);
}

}  // namespace schicht::builder
