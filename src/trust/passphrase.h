// Passphrases for signing keys: from a file (its first line, as containers/image reads
// --sign-passphrase-file), else typed at the terminal with echo off. Without a terminal and
// without a file there is no way to ask: kInvalidInput naming the flag to use.
#pragma once

#include <optional>
#include <string>

#include "trust/sigstore_key.h"

namespace schicht::trust {

// `file` when not empty; else a prompt "Passphrase for key KEY: " on the terminal, twice when
// `confirm` (a new key). `flag` names the option in the error.
std::string read_passphrase(const std::string& file, const std::string& key, bool confirm,
                            const std::string& flag);

// --sign-by-sigstore-private-key KEY_FILE with --sign-passphrase-file: the decrypted key, or
// nullopt when KEY_FILE is empty (then a passphrase file alone is an error).
std::optional<SigstoreKey> load_signing_key(const std::string& key_file,
                                            const std::string& passphrase_file);

}  // namespace schicht::trust
