// schicht-serve: the server `schicht serve` runs (serve/options.h). It takes its options as
// one JSON argument from schicht, never from a user.
#include <fmt/format.h>

#include <cstdio>
#include <string>

#include "core/error.h"
#include "serve/http/server.h"

int main(int argc, char** argv) {
  using namespace schicht;
  if (argc != 2) {
    fmt::print(stderr, "Error: schicht-serve is run by `schicht serve`\n");
    return 125;
  }
  try {
    return serve::run_server(serve::options_from_json(argv[1]));
  } catch (const Error& e) {
    fmt::print(stderr, "Error: {}\n", e.what());
    return 125;
  } catch (const std::exception& e) {
    fmt::print(stderr, "Error: internal error: {}\n", e.what());
    return 125;
  }
}
