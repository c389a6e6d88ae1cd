#include "builder/words.h"

#include <cctype>

#include <fmt/format.h>

#include "core/error.h"

namespace schicht::builder {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

class Lexer {
 public:
  Lexer(std::string_view text, const Variables& vars, char escape)
      : text_(text), vars_(vars), escape_(escape) {}

  // Processes words until the end; with `split`, unquoted white space separates them.
  std::vector<std::string> run(bool split) {
    std::vector<std::string> words;
    std::string word;
    bool have_word = false;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (split && is_space(c)) {
        if (have_word) words.push_back(std::move(word));
        word.clear();
        have_word = false;
        ++pos_;
        continue;
      }
      have_word = true;
      if (c == '\'') {
        ++pos_;
        single_quoted(word);
      } else if (c == '"') {
        ++pos_;
        double_quoted(word);
      } else if (c == escape_) {
        ++pos_;
        if (pos_ < text_.size()) word += text_[pos_++];
      } else if (c == '$') {
        // An unquoted expansion is split into words too, as Docker's lexer does.
        std::string value = dollar();
        for (char v : value) {
          if (split && is_space(v)) {
            if (!word.empty()) words.push_back(std::move(word));
            word.clear();
          } else {
            word += v;
          }
        }
        have_word = !word.empty() || (value.empty() && have_word);
      } else {
        word += c;
        ++pos_;
      }
    }
    if (have_word || !split) words.push_back(std::move(word));
    return words;
  }

 private:
  void single_quoted(std::string& word) {
    while (pos_ < text_.size() && text_[pos_] != '\'') word += text_[pos_++];
    if (pos_ >= text_.size())
      fail(ErrorKind::kInvalidInput,
           "unexpected end of statement while looking for matching single-quote");
    ++pos_;
  }

  void double_quoted(std::string& word) {
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_];
      if (c == '$') {
        word += dollar();
      } else if (c == escape_ && pos_ + 1 < text_.size() &&
                 (text_[pos_ + 1] == '"' || text_[pos_ + 1] == '$' || text_[pos_ + 1] == escape_)) {
        word += text_[pos_ + 1];
        pos_ += 2;
      } else {
        word += c;
        ++pos_;
      }
    }
    if (pos_ >= text_.size())
      fail(ErrorKind::kInvalidInput,
           "unexpected end of statement while looking for matching double-quote");
    ++pos_;
  }

  std::string lookup(const std::string& name, bool* set) {
    auto it = vars_.find(name);
    *set = it != vars_.end();
    return *set ? it->second : "";
  }

  // At a '$': the expansion, or "$" itself when no name follows.
  std::string dollar() {
    ++pos_;
    if (pos_ >= text_.size()) return "$";
    if (text_[pos_] != '{') {
      std::string name;
      while (pos_ < text_.size() && is_name_char(text_[pos_])) name += text_[pos_++];
      if (name.empty()) return "$";
      bool set = false;
      return lookup(name, &set);
    }
    ++pos_;
    std::string name;
    while (pos_ < text_.size() && is_name_char(text_[pos_])) name += text_[pos_++];
    if (pos_ >= text_.size()) fail(ErrorKind::kInvalidInput, "missing '}'");
    bool set = false;
    std::string value = lookup(name, &set);
    if (text_[pos_] == '}') {
      ++pos_;
      return value;
    }
    bool colon = text_[pos_] == ':';
    if (colon) ++pos_;
    if (pos_ >= text_.size()) fail(ErrorKind::kInvalidInput, "missing '}'");
    char op = text_[pos_++];
    if (op != '-' && op != '+') {
      fail(ErrorKind::kInvalidInput, fmt::format("unsupported modifier ({}) in substitution", op));
    }
    // The word up to the matching '}', itself processed (nested expansions, quotes).
    size_t start = pos_;
    int depth = 1;
    while (pos_ < text_.size()) {
      if (text_[pos_] == escape_) {
        pos_ += 2;
        continue;
      }
      if (text_[pos_] == '{') ++depth;
      if (text_[pos_] == '}' && --depth == 0) break;
      ++pos_;
    }
    if (pos_ >= text_.size()) fail(ErrorKind::kInvalidInput, "missing '}'");
    std::string_view inner = text_.substr(start, pos_ - start);
    ++pos_;
    bool present = colon ? set && !value.empty() : set;
    if (op == '-') return present ? value : Lexer(inner, vars_, escape_).run(false)[0];
    return present ? Lexer(inner, vars_, escape_).run(false)[0] : "";
  }

  std::string_view text_;
  const Variables& vars_;
  char escape_;
  size_t pos_ = 0;
};

}  // namespace

std::string process_word(std::string_view text, const Variables& vars, char escape) {
  return Lexer(text, vars, escape).run(false)[0];
}

std::vector<std::string> process_words(std::string_view text, const Variables& vars, char escape) {
  return Lexer(text, vars, escape).run(true);
}

std::vector<std::pair<std::string, std::string>> key_values(std::string_view text,
                                                            const Variables& vars, char escape,
                                                            std::string_view instruction) {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> words = process_words(text, vars, escape);
  if (words.empty()) {
    fail(ErrorKind::kInvalidInput, fmt::format("{} requires at least one argument", instruction));
  }
  if (words[0].find('=') == std::string::npos) {
    // Legacy form: KEY VALUE, the value being the rest of the line (the key has no quotes).
    size_t b = 0;
    while (b < text.size() && is_space(text[b])) ++b;
    size_t e = b;
    while (e < text.size() && !is_space(text[e])) ++e;
    std::string_view rest = text.substr(e);
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    if (rest.empty()) {
      fail(ErrorKind::kInvalidInput, fmt::format("{} must have two arguments", instruction));
    }
    out.emplace_back(words[0], process_word(rest, vars, escape));
    return out;
  }
  for (const auto& word : words) {
    size_t eq = word.find('=');
    if (eq == std::string::npos || eq == 0) {
      fail(ErrorKind::kInvalidInput, fmt::format("{} names can not be blank", instruction));
    }
    out.emplace_back(word.substr(0, eq), word.substr(eq + 1));
  }
  return out;
}

}  // namespace schicht::builder
