#include "core/error.h"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace schicht {

std::string_view kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNotFound: return "not found";
    case ErrorKind::kInUse: return "in use";
    case ErrorKind::kInvalidInput: return "invalid input";
    case ErrorKind::kIntegrity: return "integrity";
    case ErrorKind::kNetwork: return "network";
    case ErrorKind::kAuth: return "auth";
    case ErrorKind::kPolicy: return "policy";
    case ErrorKind::kConflict: return "conflict";
    case ErrorKind::kUnsupported: return "unsupported";
    case ErrorKind::kIo: return "io";
    case ErrorKind::kInternal: return "internal";
  }
  return "unknown";
}

Error Error::with_context(std::string_view context) const {
  return Error(kind_, fmt::format("{}: {}", context, what()));
}

void fail(ErrorKind kind, const std::string& message) { throw Error(kind, message); }

void fail_errno(std::string_view what, std::string_view path) {
  int saved = errno;
  ErrorKind kind = saved == ENOENT ? ErrorKind::kNotFound : ErrorKind::kIo;
  throw Error(kind, fmt::format("{} {}: {}", what, path, std::strerror(saved)));
}

void ignore_error(std::string_view /*why*/, const std::function<void()>& fn) noexcept {
  try {
    fn();
  } catch (...) {  // NOLINT(bugprone-empty-catch): callers state why in `why`.
  }
}

}  // namespace schicht
