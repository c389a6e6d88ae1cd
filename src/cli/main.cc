#include "cli/main.h"

namespace schicht::cli {

int run(int /*argc*/, char** /*argv*/) { return 0; }

}  // namespace schicht::cli
