// Named kill points for crash tests: with SCHICHT_KILL_AT=<name> in the environment, the
// process kills itself with SIGKILL when it reaches that point. Compiled out of release builds.
#pragma once

#include <string_view>

namespace schicht {

#ifdef SCHICHT_KILL_POINTS
void kill_point(std::string_view name);
#else
inline void kill_point(std::string_view) {}
#endif

}  // namespace schicht
