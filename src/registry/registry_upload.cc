// Blob uploads: POST to open a session, PATCH chunks, PUT ?digest= to commit, and
// cross-repository mounts.
#include <charconv>

#include <fmt/format.h>

#include "core/error.h"
#include "registry/registry_client.h"
#include "registry/registry_internal.h"

namespace schicht::registry {

using internal::check_content_digest;
using internal::check_repository;
using internal::fail_response;
using internal::location_of;

namespace {

// The last byte a Range header ("0-1023", or "bytes=0-1023") says the registry holds.
std::optional<uint64_t> range_end(std::string_view range) {
  if (range.starts_with("bytes=")) range.remove_prefix(6);
  size_t dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view end = range.substr(dash + 1);
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(end.data(), end.data() + end.size(), value);
  if (ec != std::errc() || ptr != end.data() + end.size()) return std::nullopt;
  return value;
}

}  // namespace

BlobUpload::BlobUpload(RegistryClient& client, std::string repository, std::string location,
                       uint64_t min_chunk_size)
    : client_(&client),
      repository_(std::move(repository)),
      location_(std::move(location)),
      min_chunk_size_(min_chunk_size) {}

BlobUpload::BlobUpload(BlobUpload&& other) noexcept
    : client_(other.client_),
      repository_(std::move(other.repository_)),
      location_(std::move(other.location_)),
      offset_(other.offset_),
      min_chunk_size_(other.min_chunk_size_),
      open_(other.open_) {
  other.open_ = false;
}

BlobUpload::~BlobUpload() {
  if (open_) cancel();
}

void BlobUpload::write_chunk(std::string_view data) {
  StringReader reader(data);
  write_chunk(reader, data.size());
}

void BlobUpload::write_chunk(Reader& data, uint64_t size) {
  if (!open_) fail(ErrorKind::kInternal, "write to a finished blob upload");
  if (size == 0) return;
  std::string what = fmt::format("uploading a chunk to {}/{}", client_->host(), repository_);
  http::HttpRequest request{
      .method = "PATCH", .url = location_, .body_reader = &data, .body_size = size};
  request.headers.set("Content-Type", "application/octet-stream");
  request.headers.set("Content-Range", fmt::format("{}-{}", offset_, offset_ + size - 1));
  http::HttpResponse response =
      client_->send(std::move(request), repository_, RegistryClient::Access::kPush);
  if (response.status != 202) fail_response(what, response);
  uint64_t last = offset_ + size - 1;
  if (auto range = response.headers.get("Range")) {
    std::optional<uint64_t> end = range_end(*range);
    // distribution reports "0-0" after a single byte as after none: track the offset here.
    if (!end || (*end != last && !(last == 0 && *end == 0))) {
      fail(ErrorKind::kNetwork,
           fmt::format("{}: the registry reports Range {} after bytes 0-{}", what, *range, last));
    }
  }
  location_ = location_of(what, response);
  offset_ += size;
}

void BlobUpload::finish(const Digest& digest) {
  if (!open_) fail(ErrorKind::kInternal, "finish of a finished blob upload");
  std::string what =
      fmt::format("committing blob {} to {}/{}", digest.str(), client_->host(), repository_);
  http::HttpRequest request{.method = "PUT",
                            .url = http::add_query(location_, "digest", digest.str())};
  request.headers.set("Content-Type", "application/octet-stream");
  http::HttpResponse response =
      client_->send(std::move(request), repository_, RegistryClient::Access::kPush);
  if (response.status != 201) fail_response(what, response);
  open_ = false;
  check_content_digest(what, response, digest);
}

void BlobUpload::cancel() {
  if (!open_) return;
  open_ = false;
  ignore_error("a cancelled upload session expires on the registry by itself", [&] {
    client_->send(http::HttpRequest{.method = "DELETE", .url = location_}, repository_,
                  RegistryClient::Access::kPush);
  });
}

BlobUpload RegistryClient::start_upload(std::string_view repository) {
  check_repository(repository);
  std::string what = fmt::format("initiating blob upload to {}/{}", host_, repository);
  http::HttpRequest request{.method = "POST",
                            .url = url(fmt::format("/v2/{}/blobs/uploads/", repository))};
  http::HttpResponse response = send(std::move(request), repository, Access::kPush);
  if (response.status != 202) fail_response(what, response);
  uint64_t min_chunk = 0;
  if (auto header = response.headers.get("OCI-Chunk-Min-Length")) {
    std::from_chars(header->data(), header->data() + header->size(), min_chunk);
  }
  return BlobUpload(*this, std::string(repository), location_of(what, response), min_chunk);
}

void RegistryClient::push_blob(std::string_view repository, const Digest& digest, uint64_t size,
                               Reader& data) {
  BlobUpload upload = start_upload(repository);
  std::string what = fmt::format("uploading blob {} to {}/{}", digest.str(), host_, repository);
  http::HttpRequest request{.method = "PUT",
                            .url = http::add_query(upload.location(), "digest", digest.str()),
                            .body_reader = &data,
                            .body_size = size};
  request.headers.set("Content-Type", "application/octet-stream");
  http::HttpResponse response = send(std::move(request), repository, Access::kPush);
  if (response.status != 201) fail_response(what, response);
  upload.open_ = false;
  check_content_digest(what, response, digest);
}

bool RegistryClient::mount_blob(std::string_view repository, const Digest& digest,
                                std::string_view from_repository) {
  check_repository(repository);
  check_repository(from_repository);
  std::string what = fmt::format("mounting blob {} from {} to {}/{}", digest.str(), from_repository,
                                 host_, repository);
  std::string target = url(fmt::format("/v2/{}/blobs/uploads/", repository));
  target = http::add_query(http::add_query(target, "mount", digest.str()), "from", from_repository);
  http::HttpResponse response =
      send(http::HttpRequest{.method = "POST", .url = target}, repository, Access::kPush,
           http::kDefaultHttpBodyLimit, {repository_scope(from_repository, "pull")});
  if (response.status == 201) return true;
  if (response.status != 202) fail_response(what, response);
  // The registry opened an ordinary upload session instead; the caller uploads afresh.
  BlobUpload(*this, std::string(repository), location_of(what, response), 0).cancel();
  return false;
}

}  // namespace schicht::registry
