#include "copy/url_download.h"

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>

#include <limits>

#include <fmt/format.h>

#include "core/error.h"
#include "core/io.h"

namespace schicht::copy {
namespace {

// An unnamed file where the file system has O_TMPFILE; else a named one unlinked at once.
UniqueFd unnamed_file(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return UniqueFd(fd);
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    fail_errno("create a temporary file in", dir.string());
  }
  std::string name = (dir / "schicht-download-XXXXXX").string();
  fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) fail_errno("create a temporary file in", dir.string());
  UniqueFd file(fd);
  if (::unlink(name.c_str()) != 0) fail_errno("unlink", name);
  return file;
}

}  // namespace

bool is_download_url(std::string_view input) {
  return input.starts_with("http://") || input.starts_with("https://");
}

Downloaded download_to_temp_file(const std::string& url, const fs::path& dir,
                                 const http::HttpOptions& http) {
  UniqueFd file = unnamed_file(dir);
  FdWriter sink(file.get(), url);
  http::HttpResponse response;
  try {
    http::HttpClient client(http);
    http::HttpRequest request;
    request.url = url;
    response = client.send_to(request, sink, std::numeric_limits<uint64_t>::max());
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kNetwork) throw;
    fail(ErrorKind::kNetwork, fmt::format("downloading {}: {}", url, e.what()));
  }
  if (response.status < 200 || response.status > 299) return {UniqueFd(), response.status};
  if (::lseek(file.get(), 0, SEEK_SET) != 0) fail_errno("seek", url);
  return {std::move(file), response.status};
}

}  // namespace schicht::copy
