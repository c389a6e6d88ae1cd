#include "containers/names.h"

#include <array>
#include <random>

#include <fmt/format.h>

namespace schicht::containers {

std::string random_hex(size_t bytes) {
  std::random_device rd;
  std::string out;
  for (size_t i = 0; i < bytes; ++i) out += fmt::format("{:02x}", rd() & 0xff);
  return out;
}

std::string random_name() {
  static constexpr std::array kAdjectives = {"admiring", "brave",   "clever",  "dazzling",
                                             "eager",    "focused", "gallant", "happy",
                                             "jolly",    "keen",    "lucid",   "nifty"};
  static constexpr std::array kNames = {"banach",   "curie",   "darwin", "euler",
                                        "fermi",    "gauss",   "hopper", "kepler",
                                        "lovelace", "noether", "pascal", "turing"};
  std::random_device rd;
  return fmt::format("{}_{}", kAdjectives[rd() % kAdjectives.size()], kNames[rd() % kNames.size()]);
}

std::string unused_random_name(const std::set<std::string>& taken) {
  std::random_device rd;
  for (int attempt = 0;; ++attempt) {
    std::string name = random_name();
    if (attempt >= 8) name += std::to_string(rd() % 1'000'000);
    if (taken.count(name) == 0) return name;
  }
}

}  // namespace schicht::containers
