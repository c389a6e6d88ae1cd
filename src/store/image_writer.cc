#include "store/image_writer.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "core/time.h"
#include "store/config_facts.h"

namespace schicht::store {
namespace {

void check_blob(Ingest& ingest, const std::optional<Digest>& expected,
                std::optional<uint64_t> expected_size, const std::string& what) {
  if (expected_size && ingest.size() != *expected_size) {
    fail(ErrorKind::kIntegrity,
         fmt::format("writing blob: storing {}: size mismatch: expected {} bytes, got {}", what,
                     *expected_size, ingest.size()));
  }
  if (expected && ingest.digest() != *expected) {
    fail(ErrorKind::kIntegrity,
         fmt::format("writing blob: storing {}: Digest did not match, expected {}, got {}", what,
                     expected->str(), ingest.digest().str()));
  }
}

}  // namespace

ImageWriter::ImageWriter(Store& store) : store_(store), lease_(store.begin_lease()) {}

ImageWriter::~ImageWriter() {
  if (done_) return;
  ignore_error(
      "rolling back after another error: leftovers are unreferenced blobs that "
      "`system check --repair` removes",
      [&] { discard_created(); });
}

bool ImageWriter::protect(const Digest& digest) {
  std::lock_guard lock(mutex_);
  return protect_locked(digest);
}

bool ImageWriter::protect_locked(const Digest& digest) {
  // Once leased, a blob cannot vanish (a deleter that decided before the lease row was in had
  // unlinked it before Lease::protect got gc.lock): whether it is there needs no lock or row.
  if (leased_.count(digest) != 0) return store_.blobs().exists(digest);
  bool stored = lease_->protect(digest);
  leased_.insert(digest);
  return stored;
}

void ImageWriter::adopt(const Digest& digest) {
  std::lock_guard lock(mutex_);
  created_.push_back(digest);
}

Digest ImageWriter::put_ingest(std::unique_ptr<Ingest> ingest,
                               const std::optional<Digest>& expected,
                               std::optional<uint64_t> expected_size, const std::string& what) {
  check_blob(*ingest, expected, expected_size, what);
  Digest digest = ingest->digest();
  bool group_full = false;
  {
    std::lock_guard lock(mutex_);
    if (protect_locked(digest)) return digest;  // the store had it: this copy goes
    if (grouped_) {
      if (held_.count(digest) != 0) return digest;  // held back already
      // Listed before it exists: a rollback removes it whenever the failure comes.
      created_.push_back(digest);
      held_.emplace(digest, std::move(ingest));
      group_full = held_.size() >= kCommitGroup;
    } else {
      created_.push_back(digest);
    }
  }
  if (grouped_) {
    if (group_full) flush();
    return digest;
  }
  ingest->commit();  // outside the lock: other threads' blobs are made durable meanwhile
  return digest;
}

void ImageWriter::flush() {
  std::lock_guard flushing(flush_mutex_);
  std::vector<std::unique_ptr<Ingest>> group;
  {
    std::lock_guard lock(mutex_);
    for (auto& [digest, ingest] : held_) group.push_back(std::move(ingest));
    held_.clear();
  }
  store_.blobs().commit_all(group);
}

std::string ImageWriter::read_blob(const Digest& digest, size_t limit) {
  std::lock_guard flushing(flush_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (auto held = held_.find(digest); held != held_.end()) {
      return held->second->read_back(limit);
    }
  }
  return store_.blobs().read(digest, limit);
}

Digest ImageWriter::put(std::string_view bytes, const std::optional<Digest>& expected,
                        std::string what) {
  StringReader reader(bytes);
  return put_blob(reader, expected, bytes.size(), std::move(what));
}

Digest ImageWriter::put_blob(Reader& data, const std::optional<Digest>& expected,
                             std::optional<uint64_t> expected_size, std::string what) {
  auto ingest = store_.blobs().begin_ingest(what);
  copy_stream(data, *ingest);
  return put_ingest(std::move(ingest), expected, expected_size, what);
}

LayerDigests ImageWriter::put_layer(Reader& data, const std::optional<Digest>& expected,
                                    std::optional<uint64_t> expected_size, std::string what) {
  auto ingest = store_.blobs().begin_ingest(what);
  std::optional<LayerContent> content;
  try {
    // The ingest hashes the stored bytes; the pass decompresses them and hashes the tar.
    TeeReader stored(data, *ingest);
    content = read_layer_content(stored, what);
    copy_stream(data, *ingest);  // anything after the end the decompressor saw
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kInvalidInput || (!expected && !expected_size)) throw;
    // Bytes that do not decompress may simply be the wrong bytes: if the rest shows they are
    // not the blob expected, say that.
    bool complete = false;
    ignore_error("the rest of the blob only decides which error to report", [&] {
      copy_stream(data, *ingest);
      complete = true;
    });
    if (complete) check_blob(*ingest, expected, expected_size, what);
    throw;
  }
  uint64_t size = ingest->size();  // the blob may be held back (group_commits): not in the store
  Digest digest = put_ingest(std::move(ingest), expected, expected_size, what);
  return LayerDigests{digest, size, content->compression, content->diff_id,
                      content->uncompressed_size};
}

LayerDigests ImageWriter::stored_layer(const Digest& digest) {
  {
    std::lock_guard lock(mutex_);
    std::optional<LayerInfo> known = store_.layer(digest);
    if (known) {
      return LayerDigests{digest, known->size, Compression::kNone, known->diff_id,
                          known->uncompressed_size};
    }
  }
  // A layer blob no image recorded (another write's, still in flight): read it.
  UniqueFd fd = store_.blobs().open(digest);
  FdReader reader(fd.get(), store_.blobs().path_of(digest).string());
  return digest_layer(reader, nullptr, "blob " + digest.str());
}

void ImageWriter::record(const NewImage& image, const std::vector<std::string>& names,
                         std::string_view action) {
  record({NamedImage{image, names}}, action);
}

void ImageWriter::record(const std::vector<NamedImage>& images, std::string_view action) {
  flush();  // rows reference only durable blobs
  store_.add_images(images, action);
}

void ImageWriter::commit() {
  flush();
  done_ = true;
}

void ImageWriter::finish() {
  flush();
  // Every referenced blob stays; what no row references (stray archive entries) goes.
  discard_created();
  done_ = true;
}

void ImageWriter::commit(const NewImage& image, const std::vector<std::string>& names,
                         std::string_view action) {
  record(image, names, action);
  commit();
}

void ImageWriter::rollback() {
  done_ = true;
  discard_created();
}

void ImageWriter::discard_created() {
  held_.clear();  // never committed: their temp files go with them
  std::vector<Digest> created = std::move(created_);
  created_.clear();
  // Two threads storing the same blob at once (images of one load sharing a layer) both list it.
  std::sort(created.begin(), created.end());
  created.erase(std::unique(created.begin(), created.end()), created.end());
  if (!created.empty()) store_.discard_blobs(*lease_, created);
}

int64_t config_created_ns(const std::string& text) {
  std::optional<Timestamp> time = text.empty() ? std::nullopt : try_parse_rfc3339(text);
  // Go's zero time and other instants int64 nanoseconds cannot hold count as unknown.
  constexpr int64_t kLimit = INT64_MAX / 1'000'000'000 - 1;
  if (!time || time->unix_seconds < -kLimit || time->unix_seconds > kLimit) return 0;
  return time->unix_seconds * 1'000'000'000 + time->nanos;
}

NewImage describe_image(const ImageConfig& config, const Manifest& manifest,
                        std::vector<LayerInfo> layers) {
  NewImage image{.id = config.id,
                 .config_size = config.raw.size(),
                 .manifest_digest = manifest.digest,
                 .manifest_media_type = manifest.media_type,
                 .manifest_size = manifest.raw.size()};
  image.created = config_created_ns(config.created);
  take_config_facts(image, config);
  image.layers = std::move(layers);
  return image;
}

}  // namespace schicht::store
