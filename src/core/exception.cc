#include "core/exception.h"

#include <cxxabi.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <new>
#include <string>
#include <system_error>
#include <typeinfo>

#include <fmt/format.h>

namespace schicht {
namespace {

// Go (and so podman) prints system errors in lower case: "no such file or directory".
std::string lower_first(std::string reason) {
  if (!reason.empty())
    reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  return reason;
}

std::string type_name(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), &std::free);
  return status == 0 && name ? name.get() : type.name();
}

}  // namespace

Error error_from(std::exception_ptr exception) {
  try {
    std::rethrow_exception(exception);
  } catch (const Error& e) {
    return e;
  } catch (const std::bad_alloc&) {
    return Error(ErrorKind::kIo, "out of memory");
  } catch (const std::filesystem::filesystem_error& e) {
    std::string reason = lower_first(e.code().message());
    ErrorKind kind =
        e.code() == std::errc::no_such_file_or_directory ? ErrorKind::kNotFound : ErrorKind::kIo;
    if (e.path1().empty()) return Error(kind, reason);
    return Error(kind, fmt::format("{}: {}", e.path1().string(), reason));
  } catch (const std::system_error& e) {
    return Error(ErrorKind::kIo, lower_first(e.code().message()));
  } catch (const std::exception& e) {
    return Error(
        ErrorKind::kInternal,
        fmt::format("internal error: unexpected {} (a bug in schicht)", type_name(typeid(e))));
  } catch (...) {
    return Error(ErrorKind::kInternal,
                 "internal error: an unexpected exception (a bug in schicht)");
  }
}

}  // namespace schicht
