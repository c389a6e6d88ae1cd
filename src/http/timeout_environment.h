// The transfer timeouts users can change, from the environment (read by every command that
// talks to a registry or fetches a URL):
//   SCHICHT_CONNECT_TIMEOUT  seconds to establish a connection (default 30)
//   SCHICHT_STALL_TIMEOUT    seconds a transfer may stay below the stall speed (default 30)
//   SCHICHT_STALL_SPEED      the stall speed in bytes per second (default 1024; 0 disables)
//   SCHICHT_TOTAL_TIMEOUT    seconds one request attempt may take in all (default 0: no limit,
//                            a layer of gigabytes can take long; the stall check catches a
//                            registry that drips)
// A stalled attempt counts as a dropped connection: it is retried (--retry) and a download
// resumes where it stopped.
#pragma once

#include "http/client.h"

namespace schicht::http {

// Applies the variables that are set to `http`; a malformed value is kInvalidInput naming it.
void apply_timeout_environment(HttpOptions& http);

}  // namespace schicht::http
