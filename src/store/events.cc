#include "store/events.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "core/error.h"
#include "core/time.h"

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

std::optional<std::string> append_event(const fs::path& root, const Event& event) noexcept {
  try {
    std::string line = event_json(event) + "\n";
    fs::path path = events_path(root);
    int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return fmt::format("open {}: {}", path.string(), std::strerror(errno));
    // Writers append whole lines only, so a log not ending in a newline ends in a line a crash
    // tore: start on a line of our own rather than complete that one.
    struct stat st {};
    char last = '\n';
    if (::fstat(fd, &st) == 0 && st.st_size > 0 && ::pread(fd, &last, 1, st.st_size - 1) == 1 &&
        last != '\n') {
      line.insert(line.begin(), '\n');
    }
    // One write: O_APPEND places the whole line at the end, whoever else appends.
    ssize_t n;
    do {
      n = ::write(fd, line.data(), line.size());
    } while (n < 0 && errno == EINTR);
    int saved = errno;
    ::close(fd);
    if (n < 0) return fmt::format("write {}: {}", path.string(), std::strerror(saved));
    if (static_cast<size_t>(n) != line.size()) {
      return fmt::format("write {}: short write", path.string());
    }
    return std::nullopt;
  } catch (const std::exception&) {
    return "out of memory";
  }
}

std::vector<Event> read_events(const fs::path& root, uint64_t& offset) {
  std::vector<Event> out;
  fs::path path = events_path(root);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return out;
    fail_errno("open", path.string());
  }
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
    out.push_back(std::move(e));
  }
  offset += start;
  return out;
}

}  // namespace schicht::store
