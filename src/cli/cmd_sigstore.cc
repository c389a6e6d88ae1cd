// generate-sigstore-key: a key pair for sigstore signatures, as skopeo's command of that name
// writes it (PREFIX.private, encrypted; PREFIX.pub).
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.h"
#include "core/error.h"
#include "core/fs.h"
#include "trust/passphrase.h"
#include "trust/sigstore_key.h"

namespace schicht::cli {
namespace {

void ensure_absent(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    fail(ErrorKind::kConflict, fmt::format("refusing to overwrite existing {:?}", path));
  }
  if (errno != ENOENT) fail_errno("checking existence", path);
}

}  // namespace

int cmd_generate_sigstore_key(Context& /*ctx*/, GenerateSigstoreKeyOptions& parsed,
                              Invocation& invocation) {
  auto& [prefix, passphrase_file] = parsed;
  auto& positional = invocation.positional;
  if (!positional.empty()) fail(ErrorKind::kInvalidInput, "no arguments expected");
  if (prefix.empty()) fail(ErrorKind::kInvalidInput, "--output-prefix must be specified");
  std::string public_path = prefix + ".pub";
  std::string private_path = prefix + ".private";
  ensure_absent(public_path);
  ensure_absent(private_path);
  std::string passphrase =
      trust::read_passphrase(passphrase_file, private_path, /*confirm=*/true, "--passphrase-file");
  trust::SigstoreKeyFiles keys = trust::generate_sigstore_key(passphrase);
  with_context(fmt::format("writing private key to {:?}", private_path),
               [&] { write_file_atomic(private_path, keys.private_pem, 0600); });
  try {
    with_context(fmt::format("writing public key to {:?}", public_path),
                 [&] { write_file_atomic(public_path, keys.public_pem, 0644); });
  } catch (...) {
    // Half a key pair is no key pair.
    std::error_code ignored;
    std::filesystem::remove(private_path, ignored);
    throw;
  }
  fmt::print("Key written to {:?} and {:?}\n", private_path, public_path);
  return 0;
}

}  // namespace schicht::cli
