// Whether a build's RUN steps can run programs of an image's platform on this machine: natively
// (its own architecture, or 386 on amd64), or through a qemu-user emulator that binfmt_misc
// hands foreign executables to. buildah leaves this to the kernel and fails with "exec format
// error"; schicht says what is missing before the step starts.
#pragma once

#include "core/fs.h"
#include "core/platform.h"

namespace schicht::builder {

// The binfmt_misc entry name qemu-user-static registers for a Go architecture name
// ("arm64" -> "qemu-aarch64"); empty for an architecture qemu has no user emulator for.
std::string qemu_binfmt_name(std::string_view architecture);

// Fails with kUnsupported, naming the platform, the emulator and how to get it, unless programs
// of `platform` run here. An emulator counts when its entry in `binfmt_dir` is enabled and has
// the F (fix binary) flag: without it the kernel looks for the interpreter inside the build's
// root filesystem, where it is not.
void require_runnable(const Platform& platform, const Platform& host,
                      const fs::path& binfmt_dir = "/proc/sys/fs/binfmt_misc");

}  // namespace schicht::builder
