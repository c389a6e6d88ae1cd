#include "serve/htpasswd.h"

#include <crypt.h>
#include <fmt/format.h>
#include <openssl/crypto.h>

#include <cctype>
#include <memory>

#include "core/digest.h"
#include "core/error.h"
#include "core/fs.h"

namespace schicht::serve {

std::optional<std::string> decode_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0 || (v[k] = value(c)) < 0) return std::nullopt;
    }
    uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>(n >> 16));
    if (pad < 2) out.push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(n & 0xff));
  }
  return out;
}

Htpasswd Htpasswd::parse(std::string_view text, const std::string& path) {
  Htpasswd out;
  size_t number = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    size_t colon = line.find(':');
    std::string_view hash = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    if (colon == 0 || hash.empty() || !hash.starts_with('$'))
      throw Error(ErrorKind::kInvalidInput,
                  fmt::format("{}:{}: not a \"user:hash\" line with a crypt(3) hash (bcrypt: "
                              "htpasswd -B)",
                              path, number));
    out.users_[std::string(line.substr(0, colon))] = std::string(hash);
  }
  return out;
}

Htpasswd Htpasswd::load(const std::string& path) {
  return parse(read_file(path), path);
}

bool Htpasswd::verify(const std::string& user, const std::string& password) const {
  auto it = users_.find(user);
  if (it == users_.end()) return false;
  std::string key = Digest::sha256_of(user + '\0' + password).str();
  {
    std::lock_guard lock(mutex_);
    if (verified_.count(key)) return true;
  }
  auto data = std::make_unique<crypt_data>();
  const char* hashed = crypt_r(password.c_str(), it->second.c_str(), data.get());
  if (hashed == nullptr || hashed[0] == '*') return false;
  std::string_view got(hashed);
  bool ok = got.size() == it->second.size() &&
            CRYPTO_memcmp(got.data(), it->second.data(), got.size()) == 0;
  if (ok) {
    std::lock_guard lock(mutex_);
    verified_.insert(key);
  }
  return ok;
}

std::optional<std::string> Htpasswd::check(std::string_view authorization) const {
  constexpr std::string_view kBasic = "Basic ";
  if (authorization.size() <= kBasic.size()) return std::nullopt;
  for (size_t i = 0; i < kBasic.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kBasic[i])))
      return std::nullopt;
  auto decoded = decode_base64(authorization.substr(kBasic.size()));
  if (!decoded) return std::nullopt;
  size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string user = decoded->substr(0, colon);
  if (!verify(user, decoded->substr(colon + 1))) return std::nullopt;
  return user;
}

}  // namespace schicht::serve
