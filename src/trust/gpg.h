// OpenPGP signing and verification through GPGME, as containers/image's simple signing does.
//
// Signing uses the caller's GnuPG home ($GNUPGHOME or ~/.gnupg) and makes a binary signed
// message (gpg --sign, not armoured, not detached). Verification never looks at the caller's
// keyring: the trusted keys are imported into a temporary GnuPG home that only lives for the
// verifier, so a signature counts only when one of those keys made it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace schicht::trust {

// Signs `payload` with the secret key `key` (a fingerprint or anything gpg takes to name one).
// kNotFound when the keyring has no such secret key.
std::string gpg_sign(std::string_view payload, const std::string& key);

struct GpgVerified {
  std::string payload;      // the signed bytes, as they were signed
  std::string fingerprint;  // the signing key's primary fingerprint, upper-case hex
};

class GpgVerifier {
 public:
  // `keyrings` are the trusted keys (binary or armoured); `origin` says where they came from,
  // for messages ("keyPath /etc/pki/k.gpg"). kInvalidInput when they hold no key.
  GpgVerifier(const std::vector<std::string>& keyrings, std::string origin);
  ~GpgVerifier();
  GpgVerifier(const GpgVerifier&) = delete;
  GpgVerifier& operator=(const GpgVerifier&) = delete;

  // kPolicy when `message` is not a valid signature by one of the trusted keys, saying whether
  // the key is unknown ("wrong key") or the signature does not check out.
  GpgVerified verify(std::string_view message);

  const std::vector<std::string>& fingerprints() const { return fingerprints_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::string origin_;
  std::vector<std::string> fingerprints_;
};

// The user IDs of the keys in `keyrings` as podman's `image trust show` lists them: the email
// address of each, or the whole user ID when it has none. Read without touching any GnuPG home
// of the user.
std::vector<std::string> gpg_key_identities(const std::vector<std::string>& keyrings);

}  // namespace schicht::trust
