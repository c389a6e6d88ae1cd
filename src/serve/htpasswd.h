// Basic auth for `schicht serve --htpasswd FILE`: "user:hash" lines, hashes checked with
// crypt(3) (libcrypt: bcrypt "$2y$"/"$2b$", and whatever else it knows, such as SHA-512 "$6$").
// bcrypt is slow on purpose, and a client sends its credentials with every request, so a
// successful check is remembered (a SHA-256 of user and password, never the password).
// Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace schicht::serve {

class Htpasswd {
 public:
  // kNotFound/kIo when unreadable; kInvalidInput (with the line number) for a line that is not
  // "user:hash" or a hash crypt(3) does not know.
  static Htpasswd load(const std::string& path);
  static Htpasswd parse(std::string_view text, const std::string& path);

  // The user an `Authorization` header authenticates, or nullopt.
  std::optional<std::string> check(std::string_view authorization) const;
  bool verify(const std::string& user, const std::string& password) const;

  Htpasswd(Htpasswd&& other) noexcept : users_(std::move(other.users_)) {}

 private:
  Htpasswd() = default;
  std::map<std::string, std::string> users_;
  mutable std::mutex mutex_;
  mutable std::set<std::string> verified_;
};

// Decodes standard base64 (with padding); nullopt when malformed.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace schicht::serve
