#include "trust/passphrase.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include "core/error.h"
#include "core/fs.h"
#include "trust/sigstore_key.h"

namespace schicht::trust {
namespace {

// One line from the terminal on stdin, not echoed.
std::string prompt(const std::string& text) {
  fmt::print(stderr, "{}", text);
  std::fflush(stderr);
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  std::string line;
  bool ok = static_cast<bool>(std::getline(std::cin, line));
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  fmt::print(stderr, "\n");
  if (!ok) fail(ErrorKind::kInvalidInput, "reading the passphrase: end of input");
  return line;
}

}  // namespace

std::string read_passphrase(const std::string& file, const std::string& key, bool confirm,
                            const std::string& flag) {
  if (!file.empty()) return read_passphrase_file(file);
  if (isatty(STDIN_FILENO) == 0) {
    fail(ErrorKind::kInvalidInput,
         fmt::format("cannot prompt for a passphrase for key {}: standard input is not a TTY; "
                     "use {}",
                     key, flag));
  }
  std::string passphrase = prompt(fmt::format("Passphrase for key {}: ", key));
  if (confirm && prompt("Repeat the passphrase: ") != passphrase) {
    fail(ErrorKind::kInvalidInput, "the passphrases do not match");
  }
  return passphrase;
}

std::optional<SigstoreKey> load_signing_key(const std::string& key_file,
                                            const std::string& passphrase_file) {
  if (key_file.empty()) {
    if (passphrase_file.empty()) return std::nullopt;
    fail(ErrorKind::kInvalidInput,
         "--sign-passphrase-file is only meaningful with --sign-by-sigstore-private-key");
  }
  std::string pem =
      with_context("reading sigstore private key", [&] { return read_file(key_file); });
  std::string passphrase =
      read_passphrase(passphrase_file, key_file, /*confirm=*/false, "--sign-passphrase-file");
  return load_sigstore_private_key(pem, passphrase, key_file);
}

}  // namespace schicht::trust
