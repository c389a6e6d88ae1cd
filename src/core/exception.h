// The last line against library text reaching a user: what an exception that is not a
// schicht::Error stands for, as an Error.
#pragma once

#include <exception>

#include "core/error.h"

namespace schicht {

// An Error as it is; std::bad_alloc as "out of memory" (kIo); a std::filesystem::filesystem_error
// as "<path>: <reason>" and a std::system_error as its reason (kIo, kNotFound for a missing
// file); anything else as kInternal naming only its type. Such exceptions are turned into Errors
// where they arise; this is for the CLI's last handler and for reports across processes.
Error error_from(std::exception_ptr exception);

}  // namespace schicht
