// The tokenizer of the Go template engine: splits template text into text runs and the tokens
// of `{{ }}` actions, applying `{{-`/`-}}` trimming and dropping comments, as Go's
// text/template/parse lexer does. A lexical error becomes a final kError token, so the parser
// reports whichever error Go would meet first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace schicht::gotemplate::tmpl {

enum class TokenType {
  kError,  // the message is the token's value
  kEof,
  kText,
  kLeftDelim,
  kRightDelim,
  kSpace,
  kBool,
  kCharConstant,
  kNumber,
  kString,
  kRawString,
  kField,       // ".Name"
  kVariable,    // "$name" or "$"
  kIdentifier,  // a function name
  kDot,
  kNil,
  kChar,  // any other printable ASCII character, e.g. ','
  kPipe,
  kLeftParen,
  kRightParen,
  kAssign,   // =
  kDeclare,  // :=
  // Keywords.
  kBlock,
  kBreak,
  kContinue,
  kDefine,
  kElse,
  kEnd,
  kIf,
  kRange,
  kTemplate,
  kWith,
};

struct Token {
  TokenType type;
  size_t pos;  // byte offset in the template text
  std::string value;
  int line;
};

bool is_keyword(TokenType type);

// Go's rendering of a token in "unexpected X in Y" messages.
std::string describe(const Token& token);

std::vector<Token> lex(std::string_view text);

}  // namespace schicht::gotemplate::tmpl
