#include "cmdline/completion.h"

namespace schicht::cmdline {

Completions matching(const std::set<std::string>& candidates, std::string_view current,
                     std::string_view prefix) {
  Completions out;
  for (const auto& c : candidates) {
    std::string full = std::string(prefix) + c;
    if (full.starts_with(current)) out.candidates.push_back(std::move(full));
  }
  return out;
}

const FlagSet::Info* find_flag(const CommandFlags& flags, std::string_view name, char shorthand) {
  for (const auto* list : {&flags.own, &flags.global}) {
    for (const auto& f : *list) {
      if (shorthand != 0 ? f.shorthand == shorthand : f.name == name) return &f;
    }
  }
  return nullptr;
}

const FlagSet::Info* flag_wanting_value(const CommandFlags& flags, std::string_view word) {
  if (word.starts_with("--")) {
    if (word.find('=') != std::string_view::npos) return nullptr;
    const auto* f = find_flag(flags, word.substr(2), 0);
    return f != nullptr && f->takes_value ? f : nullptr;
  }
  for (size_t j = 1; j < word.size(); ++j) {
    const auto* f = find_flag(flags, "", word[j]);
    if (f == nullptr || !f->takes_value) continue;
    return j + 1 == word.size() ? f : nullptr;  // else the rest of the word is the value
  }
  return nullptr;
}

Completions flag_names(const CommandFlags& flags, std::string_view current) {
  std::set<std::string> names;
  for (const auto* list : {&flags.own, &flags.global}) {
    for (const auto& f : *list) {
      names.insert("--" + f.name);
      // Shorthands only when asked for with a single dash.
      if (f.shorthand != 0 && !current.starts_with("--")) names.insert({'-', f.shorthand});
    }
  }
  return matching(names, current);
}

}  // namespace schicht::cmdline
