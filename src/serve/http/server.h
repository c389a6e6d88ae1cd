// The HTTP side of `schicht serve`, on cpp-httplib: the only code that includes httplib.h. It
// is linked into the schicht-serve executable only (serve/options.h says why).
#pragma once

#include "serve/options.h"

namespace schicht::serve {

// Serves until SIGINT or SIGTERM; returns the exit code. Errors before serving (bind, TLS
// files, htpasswd) are thrown as schicht::Error.
int run_server(const ServeOptions& options);

}  // namespace schicht::serve
