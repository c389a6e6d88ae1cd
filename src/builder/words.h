// Build-time word processing as Docker's shell lexer does it for ENV, LABEL, COPY, WORKDIR,
// ...: quotes (single: literal; double: with expansion), the escape character, and variable
// expansion of $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:+alt}, ${VAR+alt} from the
// ARGs and ENVs in effect. An unset variable expands to nothing. Stateless functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace schicht::builder {

using Variables = std::map<std::string, std::string>;

// One word: quotes removed, variables expanded, white space kept.
std::string process_word(std::string_view text, const Variables& vars, char escape = '\\');

// Words split at unquoted white space, each processed as process_word() does.
std::vector<std::string> process_words(std::string_view text, const Variables& vars,
                                       char escape = '\\');

// KEY=VALUE pairs of ENV, LABEL and ARG-like instructions, or the legacy single `KEY VALUE`
// form (when the first word has no '='); `instruction` names errors ("ENV requires ...").
std::vector<std::pair<std::string, std::string>> key_values(std::string_view text,
                                                            const Variables& vars, char escape,
                                                            std::string_view instruction);

}  // namespace schicht::builder
