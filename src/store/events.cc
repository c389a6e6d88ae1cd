#include "store/events.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "core/error.h"
#include "core/time.h"
#include "store/store.h"

namespace schicht::store {

using nlohmann::ordered_json;

fs::path events_path(const fs::path& root) {
  return root / "events.log";
}

std::string event_json(const Event& event) {
  ordered_json j;
  // podman's events.Event: ID and Name are omitempty; Attributes is a nil map.
  if (!event.id.empty()) j["ID"] = event.id;
  if (!event.name.empty()) j["Name"] = event.name;
  j["Status"] = event.status;
  j["Time"] = format_rfc3339_nano(event.time);
  j["Type"] = event.type;
  j["Attributes"] = nullptr;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

std::string errno_message(std::string_view what, const fs::path& path, int error) {
  return fmt::format("{} {}: {}", what, path.string(), std::strerror(error));
}

// Writes all of `data`; the errno of the failure otherwise (0 for a short write).
std::optional<int> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : 0;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return std::nullopt;
}

// Opens the log for appending. With a limit, also locks it, and makes sure the file locked is
// the one at `path` (a rotation may have replaced it between open and lock).
std::optional<std::string> open_log(const fs::path& path, bool lock, int& fd) {
  for (;;) {
    fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return errno_message("open", path, errno);
    if (!lock) return std::nullopt;
    int rc;
    do {
      rc = ::flock(fd, LOCK_EX);
    } while (rc < 0 && errno == EINTR);
    struct stat held {
    }, named{};
    if (rc < 0 || ::fstat(fd, &held) < 0) {
      int saved = errno;
      ::close(fd);
      return errno_message("lock", path, saved);
    }
    if (::stat(path.c_str(), &named) == 0 && named.st_ino == held.st_ino &&
        named.st_dev == held.st_dev) {
      return std::nullopt;
    }
    ::close(fd);  // rotated meanwhile: append to the log now at `path`
  }
}

// Replaces the log (`size` bytes, open as `fd`) by its newer half, a log-rotation event and
// `line`, through a file renamed over it.
std::optional<std::string> rotate(int fd, const fs::path& path, uint64_t size,
                                  const std::string& line) {
  std::string old(size - size / 2, '\0');
  size_t got = 0;
  while (got < old.size()) {
    ssize_t n = ::pread(fd, old.data() + got, old.size() - got, static_cast<off_t>(size / 2 + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_message("read", path, errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  old.resize(got);
  // The line the middle falls in is dropped, and so is a torn last line.
  size_t first = old.find('\n');
  size_t last = old.rfind('\n');
  std::string contents = first == std::string::npos || first == last
                             ? std::string()
                             : old.substr(first + 1, last - first);
  Event rotation;
  rotation.time = now_ns();
  rotation.type = "system";
  rotation.status = "log-rotation";
  rotation.name = path.string();
  contents += event_json(rotation) + "\n" + line;

  std::string temp = path.string() + ".rotate-XXXXXX";
  int out = ::mkostemp(temp.data(), O_CLOEXEC);
  if (out < 0) return errno_message("create", temp, errno);
  std::optional<std::string> problem;
  if (auto error = write_all(out, contents)) {
    problem =
        *error != 0 ? errno_message("write", temp, *error) : "write " + temp + ": short write";
  } else if (::fchmod(out, 0644) < 0) {
    problem = errno_message("chmod", temp, errno);
  }
  ::close(out);
  if (!problem && ::rename(temp.c_str(), path.c_str()) < 0) {
    problem = errno_message("rename", temp, errno);
  }
  if (problem) ::unlink(temp.c_str());
  return problem;
}

}  // namespace

std::optional<std::string> append_event(const fs::path& root, const Event& event,
                                        uint64_t max_size) noexcept {
  try {
    std::string line = event_json(event) + "\n";
    fs::path path = events_path(root);
    int fd = -1;
    if (auto problem = open_log(path, max_size > 0, fd)) return problem;
    std::optional<std::string> problem;
    struct stat st {};
    if (::fstat(fd, &st) < 0) {
      problem = errno_message("stat", path, errno);
    } else if (max_size > 0 && st.st_size > 0 &&
               static_cast<uint64_t>(st.st_size) + line.size() > max_size) {
      problem = rotate(fd, path, static_cast<uint64_t>(st.st_size), line);
    } else {
      // Writers append whole lines only, so a log not ending in a newline ends in a line a
      // crash tore: start on a line of our own rather than complete that one.
      char last = '\n';
      if (st.st_size > 0 && ::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') {
        line.insert(line.begin(), '\n');
      }
      // One write: O_APPEND places the whole line at the end, whoever else appends.
      ssize_t n;
      do {
        n = ::write(fd, line.data(), line.size());
      } while (n < 0 && errno == EINTR);
      if (n < 0) {
        problem = errno_message("write", path, errno);
      } else if (static_cast<size_t>(n) != line.size()) {
        problem = fmt::format("write {}: short write", path.string());
      }
    }
    ::close(fd);
    return problem;
  } catch (const std::exception&) {
    return "out of memory";
  }
}

std::vector<Event> read_events(const fs::path& root, EventCursor& cursor) {
  std::vector<Event> out;
  fs::path path = events_path(root);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return out;
    fail_errno("open", path.string());
  }
  // A rotated log is another file: read it from its start, skipping what was already returned.
  bool rotated = false;
  if (!cursor.last_line.empty()) {
    std::string before(cursor.last_line.size(), '\0');
    ssize_t n;
    do {
      n = ::pread(fd, before.data(), before.size(),
                  static_cast<off_t>(cursor.offset - before.size()));
    } while (n < 0 && errno == EINTR);
    rotated = n != static_cast<ssize_t>(before.size()) || before != cursor.last_line;
  }
  const int64_t seen_until = cursor.last_time;
  if (rotated) cursor.offset = 0;
  const uint64_t offset = cursor.offset;
  std::string data;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(offset + data.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      errno = saved;
      fail_errno("read", path.string());
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  size_t start = 0;
  for (size_t end = data.find('\n'); end != std::string::npos; end = data.find('\n', start)) {
    std::string_view line(data.data() + start, end - start);
    start = end + 1;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("Status") || !j["Status"].is_string() ||
        !j.contains("Time") || !j["Time"].is_string()) {
      continue;
    }
    auto time = try_parse_rfc3339(j["Time"].get<std::string>());
    if (!time) continue;
    Event e;
    e.time = time->unix_seconds * 1'000'000'000 + time->nanos;
    e.status = j["Status"].get<std::string>();
    if (j.contains("Type") && j["Type"].is_string()) e.type = j["Type"].get<std::string>();
    if (j.contains("ID") && j["ID"].is_string()) e.id = j["ID"].get<std::string>();
    if (j.contains("Name") && j["Name"].is_string()) e.name = j["Name"].get<std::string>();
    if (rotated && e.time <= seen_until) continue;
    cursor.last_time = std::max(cursor.last_time, e.time);
    out.push_back(std::move(e));
  }
  if (start > 0) {
    size_t begin = start >= 2 ? data.rfind('\n', start - 2) : std::string::npos;
    begin = begin == std::string::npos ? 0 : begin + 1;
    cursor.last_line = data.substr(begin, start - begin);
  }
  cursor.offset += start;
  return out;
}

}  // namespace schicht::store
