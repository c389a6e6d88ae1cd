// What `schicht serve` was asked for. The command line (cli/cmd_serve.cc) fills it and hands it
// to the server executable (schicht-serve, serve/http/) as JSON: the HTTP server library and
// what it loads (libssl.so, brotli, the shared libstdc++) stay out of the schicht binary, whose
// startup every other command pays (bench/RESULTS.md, "startup").
#pragma once

#include <string>
#include <vector>

namespace schicht::serve {

struct ServeOptions {
  std::string root;  // the store
  std::string listen = "127.0.0.1:5000";
  std::vector<std::string> allow;      // shell patterns on stored repositories; none: all
  std::vector<std::string> mirror_of;  // registries whose names are served without their host
  std::string cert, key;               // TLS when both are set
  std::string htpasswd;                // basic auth when set
  std::string access_log;              // a file; empty: stderr
  int threads = 64;                    // connections served at once
};

std::string to_json(const ServeOptions& options);
// kInvalidInput when `json` is not what to_json makes.
ServeOptions options_from_json(const std::string& json);

// kInvalidInput naming the flag for what can be checked before serving: --listen, --mirror-of
// (a registry host), --cert without --key (or the reverse), --threads.
void validate(const ServeOptions& options);

}  // namespace schicht::serve
