#include "trust/gpg.h"

#include <gpgme.h>

#include <clocale>
#include <mutex>

#include <fmt/format.h>

#include "core/error.h"
#include "core/fs.h"

namespace schicht::trust {
namespace {

void init_gpgme() {
  static std::once_flag once;
  std::call_once(once, [] {
    gpgme_check_version(nullptr);
    gpgme_set_locale(nullptr, LC_CTYPE, std::setlocale(LC_CTYPE, nullptr));
  });
  if (gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP) != GPG_ERR_NO_ERROR) {
    fail(ErrorKind::kUnsupported, "GnuPG (gpg) is not installed or too old for GPGME");
  }
}

[[noreturn]] void fail_gpgme(ErrorKind kind, std::string_view what, gpgme_error_t err) {
  fail(kind, fmt::format("{}: {}", what, gpgme_strerror(err)));
}

struct Context {
  gpgme_ctx_t ctx = nullptr;
  Context() {
    init_gpgme();
    if (gpgme_error_t err = gpgme_new(&ctx)) fail_gpgme(ErrorKind::kInternal, "gpgme", err);
    gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP);
    gpgme_set_armor(ctx, 0);
  }
  ~Context() { gpgme_release(ctx); }
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
};

struct Data {
  gpgme_data_t data = nullptr;
  Data() {
    if (gpgme_error_t err = gpgme_data_new(&data)) fail_gpgme(ErrorKind::kInternal, "gpgme", err);
  }
  explicit Data(std::string_view bytes) {
    if (gpgme_error_t err = gpgme_data_new_from_mem(&data, bytes.data(), bytes.size(), 1)) {
      fail_gpgme(ErrorKind::kInternal, "gpgme", err);
    }
  }
  ~Data() {
    if (data != nullptr) gpgme_data_release(data);
  }
  Data(const Data&) = delete;
  Data& operator=(const Data&) = delete;
  std::string take() {
    size_t size = 0;
    char* bytes = gpgme_data_release_and_get_mem(data, &size);
    data = nullptr;
    std::string out(bytes != nullptr ? bytes : "", size);
    gpgme_free(bytes);
    return out;
  }
};

struct Key {
  gpgme_key_t key = nullptr;
  ~Key() {
    if (key != nullptr) gpgme_key_unref(key);
  }
};

// Imports `keyring` into `ctx`'s home; returns the primary fingerprints it held.
std::vector<std::string> import_keys(Context& c, const std::string& keyring) {
  Data data(keyring);
  if (gpgme_error_t err = gpgme_op_import(c.ctx, data.data)) {
    fail_gpgme(ErrorKind::kInvalidInput, "importing keys", err);
  }
  std::vector<std::string> out;
  gpgme_import_result_t result = gpgme_op_import_result(c.ctx);
  for (gpgme_import_status_t s = result != nullptr ? result->imports : nullptr; s != nullptr;
       s = s->next) {
    if (s->result == GPG_ERR_NO_ERROR && s->fpr != nullptr) out.emplace_back(s->fpr);
  }
  return out;
}

// A GnuPG home that lives as long as this object, holding only what is imported into it. No
// gpg-agent is started for it (public keys need none): one would outlive the process.
class EphemeralHome {
 public:
  EphemeralHome() { write_file_atomic(dir_.path() / "gpg.conf", "no-autostart\n", 0600); }
  void attach(Context& c) const {
    if (gpgme_error_t err = gpgme_ctx_set_engine_info(c.ctx, GPGME_PROTOCOL_OpenPGP, nullptr,
                                                      dir_.path().c_str())) {
      fail_gpgme(ErrorKind::kInternal, "setting up a temporary GnuPG home", err);
    }
  }

 private:
  TempDir dir_{temp_root(), "schicht-gpg"};
};

}  // namespace

std::string gpg_sign(std::string_view payload, const std::string& key) {
  Context c;
  Key signer;
  if (gpgme_error_t err = gpgme_get_key(c.ctx, key.c_str(), &signer.key, /*secret=*/1)) {
    fail(gpgme_err_code(err) == GPG_ERR_EOF ? ErrorKind::kNotFound : ErrorKind::kInvalidInput,
         fmt::format("signing with GPG key {:?}: {}", key,
                     gpgme_err_code(err) == GPG_ERR_EOF ? "no such secret key in the keyring"
                                                        : gpgme_strerror(err)));
  }
  gpgme_signers_add(c.ctx, signer.key);
  Data plain(payload);
  Data signature;
  if (gpgme_error_t err = gpgme_op_sign(c.ctx, plain.data, signature.data, GPGME_SIG_MODE_NORMAL)) {
    fail_gpgme(ErrorKind::kInvalidInput, fmt::format("signing with GPG key {:?}", key), err);
  }
  return signature.take();
}

struct GpgVerifier::State {
  EphemeralHome home;
  Context context;
};

GpgVerifier::GpgVerifier(const std::vector<std::string>& keyrings, std::string origin)
    : state_(std::make_unique<State>()), origin_(std::move(origin)) {
  state_->home.attach(state_->context);
  for (const std::string& keyring : keyrings) {
    std::vector<std::string> found =
        with_context(origin_, [&] { return import_keys(state_->context, keyring); });
    fingerprints_.insert(fingerprints_.end(), found.begin(), found.end());
  }
  if (fingerprints_.empty()) {
    fail(ErrorKind::kInvalidInput, fmt::format("{}: no public keys found", origin_));
  }
}

GpgVerifier::~GpgVerifier() = default;

GpgVerified GpgVerifier::verify(std::string_view message) {
  gpgme_ctx_t ctx = state_->context.ctx;
  Data signed_message(message);
  Data plain;
  if (gpgme_error_t err = gpgme_op_verify(ctx, signed_message.data, nullptr, plain.data)) {
    fail(ErrorKind::kPolicy,
         fmt::format("invalid signature: not a valid OpenPGP signed message ({})",
                     gpgme_strerror(err)));
  }
  gpgme_verify_result_t result = gpgme_op_verify_result(ctx);
  gpgme_signature_t sig = result != nullptr ? result->signatures : nullptr;
  if (sig == nullptr || sig->next != nullptr) {
    fail(ErrorKind::kPolicy, "invalid signature: expected exactly one OpenPGP signature");
  }
  std::string by = sig->fpr != nullptr ? sig->fpr : "(unknown)";
  gpgme_err_code_t status = gpgme_err_code(sig->status);
  if (status == GPG_ERR_NO_PUBKEY) {
    fail(ErrorKind::kPolicy,
         fmt::format("signed by the wrong key: key {} is not among the trusted keys {} of {}", by,
                     fmt::join(fingerprints_, ", "), origin_));
  }
  if (status == GPG_ERR_BAD_SIGNATURE) {
    fail(ErrorKind::kPolicy,
         fmt::format("invalid signature by key {}: the signed payload was altered or the "
                     "signature is corrupt",
                     by));
  }
  if (status != GPG_ERR_NO_ERROR || sig->wrong_key_usage || sig->validity == GPGME_VALIDITY_NEVER) {
    fail(ErrorKind::kPolicy,
         fmt::format("invalid signature by key {}: {}", by, gpgme_strerror(sig->status)));
  }
  // The signature names the signing (sub)key; trust is decided on the primary key.
  Key key;
  std::string primary = by;
  if (gpgme_get_key(ctx, by.c_str(), &key.key, 0) == GPG_ERR_NO_ERROR && key.key->subkeys) {
    primary = key.key->subkeys->fpr;
  }
  bool trusted = false;
  for (const std::string& f : fingerprints_) trusted = trusted || f == primary;
  if (!trusted) {
    fail(ErrorKind::kPolicy,
         fmt::format("signed by the wrong key: key {} is not among the trusted keys {} of {}",
                     primary, fmt::join(fingerprints_, ", "), origin_));
  }
  return GpgVerified{plain.take(), primary};
}

std::vector<std::string> gpg_key_identities(const std::vector<std::string>& keyrings) {
  EphemeralHome home;
  Context c;
  home.attach(c);
  for (const std::string& keyring : keyrings) import_keys(c, keyring);
  std::vector<std::string> out;
  if (gpgme_error_t err = gpgme_op_keylist_start(c.ctx, nullptr, 0)) {
    fail_gpgme(ErrorKind::kInternal, "listing keys", err);
  }
  for (;;) {
    Key key;
    if (gpgme_op_keylist_next(c.ctx, &key.key) != GPG_ERR_NO_ERROR) break;
    for (gpgme_user_id_t uid = key.key->uids; uid != nullptr; uid = uid->next) {
      const char* email = uid->email != nullptr && *uid->email != '\0' ? uid->email : uid->uid;
      if (email != nullptr) out.emplace_back(email);
    }
  }
  gpgme_op_keylist_end(c.ctx);
  return out;
}

}  // namespace schicht::trust
