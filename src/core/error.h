// The one error type of schicht.
//
// Every failure is an `Error` with a kind; the CLI maps kinds to exit codes and prints the
// message the way podman does ("Error: <context>: <cause>"). Errors are thrown and may cross
// module boundaries: they cannot be ignored by accident, and RAII guards roll back partial
// state on the way up. A deliberate swallow goes through `ignore_error` so it stays searchable.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace schicht {

enum class ErrorKind {
  kNotFound,      // an image, name, blob or file that does not exist
  kInUse,         // an image still used by a container
  kInvalidInput,  // malformed user input, archive, manifest, reference, flag
  kIntegrity,     // digest or size mismatch, corrupt store content
  kNetwork,       // connection, timeout, unexpected HTTP status
  kAuth,          // credentials missing or refused
  kPolicy,        // rejected by policy.json or a signature check
  kConflict,      // an ambiguous prefix, a name that already exists
  kUnsupported,   // a valid input schicht does not handle (schema 1, ...)
  kIo,            // the operating system refused a file operation
  kReadOnly,      // a change to a store that cannot be written (read-only mount, no permission)
  kInternal,      // a broken invariant: a bug
};

std::string_view kind_name(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

  // Returns a copy of this error whose message is prefixed by `context: `.
  Error with_context(std::string_view context) const;

 private:
  ErrorKind kind_;
};

[[noreturn]] void fail(ErrorKind kind, const std::string& message);

// Throws kIo with `what: <path>: strerror(errno)` using the current errno.
[[noreturn]] void fail_errno(std::string_view what, std::string_view path);

// Runs `fn` and rethrows any Error with `context` prefixed to its message.
template <typename Fn>
auto with_context(std::string_view context, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Error& e) {
    throw e.with_context(context);
  }
}

// The only sanctioned way to drop an error: best-effort cleanup after another failure.
// `why` documents the reason at the call site.
void ignore_error(std::string_view why, const std::function<void()>& fn) noexcept;

}  // namespace schicht
