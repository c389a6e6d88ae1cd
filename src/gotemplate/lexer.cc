#include "gotemplate/lexer.h"

#include <fmt/format.h>

#include "gotemplate/utf8.h"

namespace schicht::gotemplate::tmpl {
namespace {

constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";
constexpr std::string_view kCommentOpen = "/*";
constexpr std::string_view kCommentClose = "*/";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Go accepts Unicode letters and digits; any byte of a multi-byte UTF-8 sequence counts here.
bool is_alphanumeric(char c) {
  auto u = static_cast<unsigned char>(c);
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         u >= 0x80;
}

// "- " right after "{{" trims the text before the action.
bool has_left_trim_marker(std::string_view s) {
  return s.size() >= 2 && s[0] == '-' && is_space(s[1]);
}

// " -" right before "}}" trims the text after the action.
bool has_right_trim_marker(std::string_view s) {
  return s.size() >= 2 && is_space(s[0]) && s[1] == '-';
}

TokenType keyword_or(std::string_view word, TokenType otherwise) {
  if (word == "block") return TokenType::kBlock;
  if (word == "break") return TokenType::kBreak;
  if (word == "continue") return TokenType::kContinue;
  if (word == "define") return TokenType::kDefine;
  if (word == "else") return TokenType::kElse;
  if (word == "end") return TokenType::kEnd;
  if (word == "if") return TokenType::kIf;
  if (word == "range") return TokenType::kRange;
  if (word == "template") return TokenType::kTemplate;
  if (word == "with") return TokenType::kWith;
  if (word == "nil") return TokenType::kNil;
  if (word == "true" || word == "false") return TokenType::kBool;
  return otherwise;
}

// Go's %#U: "U+007B '{'".
std::string unicode_name(std::string_view text, size_t pos) {
  if (pos >= text.size()) return "EOF";
  DecodedRune decoded = decode_rune(text, pos);
  char32_t r = decoded.rune;
  if (r >= 0x20 && r != 0x7f && !(r >= 0x80 && r < 0xa0)) {
    std::string glyph;
    append_rune(glyph, r);
    return fmt::format("U+{:04X} '{}'", static_cast<uint32_t>(r), glyph);
  }
  return fmt::format("U+{:04X}", static_cast<uint32_t>(r));
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    while (lex_text() && lex_action()) {
    }
    return std::move(tokens_);
  }

 private:
  // Emits the text up to the next action; returns false at the end of input.
  bool lex_text() {
    size_t found = text_.find(kLeftDelim, pos_);
    size_t end = found == std::string_view::npos ? text_.size() : found;
    size_t text_end = end;
    if (found != std::string_view::npos &&
        has_left_trim_marker(text_.substr(found + kLeftDelim.size()))) {
      while (text_end > pos_ && is_space(text_[text_end - 1])) --text_end;
    }
    if (text_end > pos_) emit(TokenType::kText, pos_, text_end);
    advance_to(end);
    if (found == std::string_view::npos) {
      emit(TokenType::kEof, pos_, pos_);
      return false;
    }
    return true;
  }

  // Lexes one action or comment starting at "{{"; returns false after an error.
  bool lex_action() {
    size_t start = pos_;
    advance_to(pos_ + kLeftDelim.size());
    bool trim = has_left_trim_marker(text_.substr(pos_));
    size_t after_marker = trim ? 2 : 0;
    if (text_.substr(pos_ + after_marker).starts_with(kCommentOpen)) {
      advance_to(pos_ + after_marker);
      return lex_comment();
    }
    emit(TokenType::kLeftDelim, start, start + kLeftDelim.size());
    advance_to(pos_ + after_marker);
    paren_depth_ = 0;
    return lex_inside_action();
  }

  bool lex_comment() {
    size_t close = text_.find(kCommentClose, pos_ + kCommentOpen.size());
    if (close == std::string_view::npos) return error("unclosed comment");
    advance_to(close + kCommentClose.size());
    auto [delim, trim] = at_right_delim();
    if (!delim) return error("comment ends before closing delimiter");
    advance_to(pos_ + (trim ? 2 : 0) + kRightDelim.size());
    if (trim) skip_leading_space();
    return true;
  }

  bool lex_inside_action() {
    while (true) {
      auto [delim, trim] = at_right_delim();
      if (delim) {
        if (paren_depth_ != 0) return error("unclosed left paren");
        if (trim) advance_to(pos_ + 2);
        emit(TokenType::kRightDelim, pos_, pos_ + kRightDelim.size());
        advance_to(pos_ + kRightDelim.size());
        if (trim) skip_leading_space();
        return true;
      }
      if (pos_ >= text_.size()) return error("unclosed action");
      size_t start = pos_;
      char c = text_[pos_];
      if (is_space(c)) {
        lex_space();
        continue;
      }
      switch (c) {
        case '=':
          emit_advance(TokenType::kAssign, start, start + 1);
          continue;
        case ':':
          if (start + 1 >= text_.size() || text_[start + 1] != '=') return error("expected :=");
          emit_advance(TokenType::kDeclare, start, start + 2);
          continue;
        case '|':
          emit_advance(TokenType::kPipe, start, start + 1);
          continue;
        case '"':
          if (!lex_quote()) return false;
          continue;
        case '`':
          if (!lex_raw_quote()) return false;
          continue;
        case '\'':
          if (!lex_char()) return false;
          continue;
        case '$':
          advance_to(start + 1);
          if (!lex_field_or_variable(TokenType::kVariable, start)) return false;
          continue;
        case '(':
          emit_advance(TokenType::kLeftParen, start, start + 1);
          ++paren_depth_;
          continue;
        case ')':
          emit_advance(TokenType::kRightParen, start, start + 1);
          if (--paren_depth_ < 0) return error("unexpected right paren U+0029 ')'");
          continue;
        default:
          break;
      }
      if (c == '.' &&
          !(start + 1 < text_.size() && text_[start + 1] >= '0' && text_[start + 1] <= '9')) {
        advance_to(start + 1);
        if (!lex_field_or_variable(TokenType::kField, start)) return false;
        continue;
      }
      if (c == '.' || c == '+' || c == '-' || (c >= '0' && c <= '9')) {
        if (!lex_number()) return false;
        continue;
      }
      if (is_alphanumeric(c)) {
        if (!lex_identifier()) return false;
        continue;
      }
      if (c > 0x20 && c < 0x7f) {
        emit_advance(TokenType::kChar, start, start + 1);
        continue;
      }
      return error("unrecognized character in action: " + unicode_name(text_, start));
    }
  }

  void lex_space() {
    size_t start = pos_;
    size_t end = pos_;
    while (end < text_.size() && is_space(text_[end])) ++end;
    // The last space may belong to a " -}}" trim marker.
    if (has_right_trim_marker(text_.substr(end - 1)) &&
        text_.substr(end + 1).starts_with(kRightDelim)) {
      --end;
      if (end == start) return;
    }
    emit_advance(TokenType::kSpace, start, end);
  }

  bool lex_quote() {
    size_t start = pos_;
    size_t i = pos_ + 1;
    while (true) {
      if (i >= text_.size() || text_[i] == '\n') {
        advance_to(i);
        return error("unterminated quoted string");
      }
      if (text_[i] == '\\') {
        if (i + 1 >= text_.size() || text_[i + 1] == '\n') {
          advance_to(i + 1);
          return error("unterminated quoted string");
        }
        i += 2;
        continue;
      }
      if (text_[i] == '"') break;
      ++i;
    }
    emit_advance(TokenType::kString, start, i + 1);
    return true;
  }

  bool lex_raw_quote() {
    size_t start = pos_;
    size_t close = text_.find('`', pos_ + 1);
    if (close == std::string_view::npos) {
      advance_to(text_.size());
      return error("unterminated raw quoted string");
    }
    emit_advance(TokenType::kRawString, start, close + 1);
    return true;
  }

  bool lex_char() {
    size_t start = pos_;
    size_t i = pos_ + 1;
    while (true) {
      if (i >= text_.size() || text_[i] == '\n') return error("unterminated character constant");
      if (text_[i] == '\\') {
        if (i + 1 >= text_.size() || text_[i + 1] == '\n') {
          return error("unterminated character constant");
        }
        i += 2;
        continue;
      }
      if (text_[i] == '\'') break;
      ++i;
    }
    emit_advance(TokenType::kCharConstant, start, i + 1);
    return true;
  }

  // After "." or "$": a name, or on its own the dot or the root variable.
  bool lex_field_or_variable(TokenType type, size_t start) {
    if (at_terminator()) {
      emit_advance(type == TokenType::kVariable ? TokenType::kVariable : TokenType::kDot, start,
                   pos_);
      return true;
    }
    size_t end = pos_;
    while (end < text_.size() && is_alphanumeric(text_[end])) ++end;
    advance_to(end);
    if (!at_terminator()) return error("bad character " + unicode_name(text_, pos_));
    emit(type, start, end);
    return true;
  }

  bool lex_identifier() {
    size_t start = pos_;
    size_t end = pos_;
    while (end < text_.size() && is_alphanumeric(text_[end])) ++end;
    advance_to(end);
    if (!at_terminator()) return error("bad character " + unicode_name(text_, pos_));
    emit(keyword_or(text_.substr(start, end - start), TokenType::kIdentifier), start, end);
    return true;
  }

  bool lex_number() {
    size_t start = pos_;
    if (!scan_number()) {
      return error(fmt::format("bad number syntax: \"{}\"", text_.substr(start, pos_ - start)));
    }
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) {
      // Go's complex constants (1+2i); schicht has no use for them.
      scan_number();
      return error(fmt::format("bad number syntax: \"{}\"", text_.substr(start, pos_ - start)));
    }
    emit(TokenType::kNumber, start, pos_);
    return true;
  }

  bool accept(std::string_view chars) {
    if (pos_ < text_.size() && chars.find(text_[pos_]) != std::string_view::npos) {
      ++pos_;
      return true;
    }
    return false;
  }

  void accept_run(std::string_view chars) {
    while (accept(chars)) {
    }
  }

  bool scan_number() {
    accept("+-");
    std::string_view digits = "0123456789_";
    if (accept("0")) {
      if (accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (accept("oO")) {
        digits = "01234567_";
      } else if (accept("bB")) {
        digits = "01_";
      }
    }
    accept_run(digits);
    if (accept(".")) accept_run(digits);
    if (digits.size() == 11 && accept("eE")) {
      accept("+-");
      accept_run("0123456789_");
    }
    if (digits.size() == 23 && accept("pP")) {
      accept("+-");
      accept_run("0123456789_");
    }
    accept("i");
    if (pos_ < text_.size() && is_alphanumeric(text_[pos_])) {
      ++pos_;
      return false;
    }
    return true;
  }

  bool at_terminator() const {
    if (pos_ >= text_.size()) return true;
    char c = text_[pos_];
    return is_space(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(' ||
           c == kRightDelim[0];
  }

  std::pair<bool, bool> at_right_delim() const {
    std::string_view rest = text_.substr(pos_);
    if (rest.starts_with(kRightDelim)) return {true, false};
    if (has_right_trim_marker(rest) && rest.substr(2).starts_with(kRightDelim)) {
      return {true, true};
    }
    return {false, false};
  }

  void skip_leading_space() {
    size_t end = pos_;
    while (end < text_.size() && is_space(text_[end])) ++end;
    advance_to(end);
  }

  void advance_to(size_t pos) { pos_ = pos; }

  void emit(TokenType type, size_t start, size_t end) {
    tokens_.push_back(
        Token{type, start, std::string(text_.substr(start, end - start)), line_at(start)});
  }

  void emit_advance(TokenType type, size_t start, size_t end) {
    emit(type, start, end);
    advance_to(end);
  }

  int line_at(size_t pos) const {
    int line = 1;
    for (size_t i = 0; i < pos && i < text_.size(); ++i) {
      if (text_[i] == '\n') ++line;
    }
    return line;
  }

  bool error(std::string message) {
    tokens_.push_back(Token{TokenType::kError, pos_, std::move(message), line_at(pos_)});
    return false;
  }

  std::string_view text_;
  size_t pos_ = 0;
  int paren_depth_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

// Go counts "." and nil among the keywords when it describes a token.
bool is_keyword(TokenType type) {
  return type >= TokenType::kBlock || type == TokenType::kDot || type == TokenType::kNil;
}

std::string describe(const Token& token) {
  if (token.type == TokenType::kEof) return "EOF";
  if (token.type == TokenType::kError) return token.value;
  if (is_keyword(token.type)) return "<" + token.value + ">";
  // Go's %q, and %.10q... for long values.
  std::string value = token.value;
  bool long_value = false;
  size_t runes = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    if ((static_cast<unsigned char>(value[i]) & 0xc0) != 0x80 && ++runes > 10) {
      value.resize(i);
      long_value = true;
      break;
    }
  }
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (c == '\n') {
      quoted += "\\n";
    } else if (c == '\t') {
      quoted += "\\t";
    } else if (c == '\r') {
      quoted += "\\r";
    } else {
      quoted += c;
    }
  }
  quoted += '"';
  return long_value ? quoted + "..." : quoted;
}

std::vector<Token> lex(std::string_view text) {
  return Lexer(text).run();
}

}  // namespace schicht::gotemplate::tmpl
