#include "transport/archive_ingest.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "archive/layer.h"
#include "archive/tar_reader.h"
#include "content/stored_layer.h"
#include "core/error.h"

namespace schicht::transport {
namespace {

// Finished blobs committed together (each holds a descriptor until then).
constexpr size_t kCommitBatch = 128;
// Entries up to this size stay in memory: JSON documents, and the odd tiny layer.
constexpr uint64_t kSmallEntry = 1 << 20;
constexpr uint64_t kMemoryBudget = 64 << 20;
// The largest manifest.json, index.json, manifest or config read: real ones are kilobytes, a
// 10,000-layer manifest about 1.5 MiB.
constexpr uint64_t kMaxDocument = 64 << 20;

bool looks_like_layer(std::string_view head) {
  if (detect_compression(head) != Compression::kNone) return true;
  return head.size() >= 262 && head.substr(257, 5) == "ustar";
}

// Replays an already-read head, then the rest of the stream.
class PrefixedReader final : public Reader {
 public:
  PrefixedReader(std::string_view head, Reader& rest) : head_(head), rest_(rest) {}
  size_t read(void* buffer, size_t size) override {
    if (pos_ < head_.size()) {
      size_t n = std::min(size, head_.size() - pos_);
      std::memcpy(buffer, head_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    return rest_.read(buffer, size);
  }

 private:
  std::string_view head_;
  Reader& rest_;
  size_t pos_ = 0;
};

std::string join_path(std::string_view dir, std::string_view rel) {
  std::string out(dir);
  for (size_t start = 0; start <= rel.size();) {
    size_t end = rel.find('/', start);
    if (end == std::string_view::npos) end = rel.size();
    std::string_view part = rel.substr(start, end - start);
    if (part == "..") {
      size_t slash = out.rfind('/');
      out = slash == std::string::npos ? "" : out.substr(0, slash);
    } else if (!part.empty() && part != ".") {
      out += out.empty() ? "" : "/";
      out += part;
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

ArchiveIngest::ArchiveIngest(store::Store& store, store::ImageWriter& writer,
                             std::string archive_name)
    : store_(store), writer_(writer), name_(std::move(archive_name)) {}

void ArchiveIngest::read(Reader& raw) {
  auto plain = decompress(raw);
  TarReader tar(*plain, name_);
  TarEntry header;
  bool any = false;
  while (tar.next(header)) {
    any = true;
    std::string path = clean_entry_path(header.path, name_);
    switch (header.type) {
      case TarEntry::Type::kSymlink: {
        size_t slash = path.rfind('/');
        std::string dir = slash == std::string::npos ? "" : path.substr(0, slash);
        links_[path] = join_path(dir, header.link_target);
        break;
      }
      case TarEntry::Type::kHardlink:
        links_[path] = clean_entry_path(header.link_target, name_);
        break;
      case TarEntry::Type::kFile: {
        if (header.size <= kSmallEntry && memory_ + header.size <= kMemoryBudget) {
          ArchiveEntry e;
          e.bytes = read_all(tar.data(), header.size, fmt::format("{}: {}", name_, path));
          e.size = e.bytes->size();
          memory_ += e.size;
          entries_[path] = std::move(e);
        } else {
          std::string head(512, '\0');
          size_t got = 0;
          while (got < head.size()) {
            size_t n = tar.data().read(head.data() + got, head.size() - got);
            if (n == 0) break;
            got += n;
          }
          head.resize(got);
          add_large(path, tar.data(), head);
        }
        break;
      }
      default:
        break;  // directories and the rest carry nothing an image needs
    }
  }
  if (!any) fail(ErrorKind::kInvalidInput, fmt::format("{}: the archive is empty", name_));
}

void ArchiveIngest::add_large(const std::string& path, Reader& data, std::string_view head) {
  PrefixedReader all(head, data);
  ArchiveEntry e;
  store_from(all, fmt::format("{}: {}", name_, path), &e, looks_like_layer(head));
  entries_[path] = std::move(e);
}

Digest ArchiveIngest::store_from(Reader& data, std::string_view what, ArchiveEntry* entry,
                                 bool as_layer) {
  auto ingest = store_.blobs().begin_ingest(std::string(what));
  if (as_layer) {
    // The ingest hashes the stored bytes: the pass only decompresses and checks them.
    TeeReader stored(data, *ingest);
    LayerContent d = read_layer_content(stored);
    entry->diff_id = d.diff_id;
    entry->uncompressed_size = d.uncompressed_size;
    entry->compression = d.compression;
  } else {
    copy_stream(data, *ingest);
  }
  Digest digest = ingest->digest();
  if (entry != nullptr) {
    entry->digest = digest;
    entry->size = ingest->size();
  }
  // Stored twice in one pass (a config is also put as itself): the first ingest suffices.
  if (pending_digests_.contains(digest)) return digest;
  if (!writer_.protect(digest)) {
    writer_.adopt(digest);  // committed in a batch by sync()
    pending_digests_.insert(digest);
    pending_.push_back(std::move(ingest));
    if (pending_.size() >= kCommitBatch) sync();
  }
  return digest;
}

std::string ArchiveIngest::resolve(std::string_view path) const {
  std::string p(path);
  // Links are followed a bounded number of times: a loop is a malformed archive.
  for (int hops = 0; hops < 8; ++hops) {
    auto it = links_.find(p);
    if (it == links_.end()) return p;
    p = it->second;
  }
  fail(ErrorKind::kInvalidInput, fmt::format("{}: too many levels of links at {}", name_, path));
}

bool ArchiveIngest::has(std::string_view path) const {
  return entries_.find(resolve(path)) != entries_.end();
}

ArchiveEntry& ArchiveIngest::entry(std::string_view path) {
  auto it = entries_.find(resolve(path));
  if (it == entries_.end()) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: file {:?} named by the archive is missing", name_, std::string(path)));
  }
  return it->second;
}

std::string ArchiveIngest::text(std::string_view path) {
  ArchiveEntry& e = entry(path);
  if (e.bytes) return *e.bytes;
  // A JSON document larger than the in-memory threshold went to the blob store.
  sync();
  if (e.size > kMaxDocument) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("{}: {} is larger than the {} MiB limit for JSON documents", name_,
                     std::string(path), kMaxDocument >> 20));
  }
  return store_.blobs().read(*e.digest, kMaxDocument);
}

const ArchiveEntry& ArchiveIngest::blob(std::string_view path, bool as_layer) {
  ArchiveEntry& e = entry(path);
  if (e.bytes && !e.digest) {
    StringReader reader(*e.bytes);
    std::string what = fmt::format("{}: {}", name_, path);
    store_from(reader, what, &e, as_layer);
  } else if (as_layer && !e.diff_id) {
    // A large entry that did not look like a layer when it streamed by.
    sync();
    auto fd = store_.blobs().open(*e.digest);
    FdReader reader(fd.get(), std::string(path));
    LayerDigests d = digest_layer(reader, nullptr);
    e.diff_id = d.diff_id;
    e.uncompressed_size = d.uncompressed_size;
    e.compression = d.compression;
  }
  return e;
}

Digest ArchiveIngest::put(std::string_view bytes, std::string_view what) {
  StringReader reader(bytes);
  return store_from(reader, what, nullptr, false);
}

Digest ArchiveIngest::put_decompressed(const ArchiveEntry& layer, std::string_view what) {
  sync();
  StoredLayerReader plain(store_.blobs(), *layer.digest, what);
  ArchiveEntry out;
  store_from(plain, what, &out, true);
  return *out.digest;
}

void ArchiveIngest::sync() {
  store_.blobs().commit_all(pending_);
  pending_.clear();
  pending_digests_.clear();
}

void ArchiveIngest::finish() {
  sync();
  // Every blob an image references stays; the rest were stray archive entries.
  writer_.finish();
}

}  // namespace schicht::transport
