#include "core/error.h"

#include <cctype>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace schicht {

std::string_view kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNotFound:
      return "not found";
    case ErrorKind::kInUse:
      return "in use";
    case ErrorKind::kInvalidInput:
      return "invalid input";
    case ErrorKind::kIntegrity:
      return "integrity";
    case ErrorKind::kNetwork:
      return "network";
    case ErrorKind::kAuth:
      return "auth";
    case ErrorKind::kPolicy:
      return "policy";
    case ErrorKind::kConflict:
      return "conflict";
    case ErrorKind::kUnsupported:
      return "unsupported";
    case ErrorKind::kIo:
      return "io";
    case ErrorKind::kReadOnly:
      return "read-only";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "unknown";
}

Error Error::with_context(std::string_view context) const {
  return Error(kind_, fmt::format("{}: {}", context, what()));
}

void fail(ErrorKind kind, const std::string& message) {
  throw Error(kind, message);
}

void fail_errno(std::string_view what, std::string_view path) {
  int saved = errno;
  ErrorKind kind = saved == ENOENT ? ErrorKind::kNotFound : ErrorKind::kIo;
  // Go (and so podman) prints system errors in lower case: "no such file or directory".
  std::string reason = std::strerror(saved);
  if (!reason.empty())
    reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  throw Error(kind, fmt::format("{} {}: {}", what, path, reason));
}

void ignore_error(std::string_view /*why*/, const std::function<void()>& fn) noexcept {
  try {
    fn();
  } catch (...) {  // NOLINT(bugprone-empty-catch): callers state why in `why`.
  }
}

}  // namespace schicht
