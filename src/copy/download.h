// A blob's HTTP download on its own thread into a BytePipe, for consumers that stream it on:
// digesting and decompressing into the store (layer_fetch), or uploading it elsewhere
// (remote_copy).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "copy/byte_pipe.h"
#include "copy/options.h"
#include "oci/descriptor.h"
#include "registry/registry_client.h"

namespace schicht::copy {

// Enough to keep the consumer busy while the network catches up, small enough that six
// transfers at once stay far below the memory a process may use.
constexpr size_t kPipeCapacity = size_t{4} << 20;

// Counts the bytes on their way into the pipe for a progress display.
class ProgressWriter final : public Writer {
 public:
  ProgressWriter(Writer& inner, const Digest& blob, TransferProgress* progress)
      : inner_(inner), blob_(blob), progress_(progress) {}
  using Writer::write;
  void write(const void* data, size_t size) override {
    inner_.write(data, size);
    if (progress_ != nullptr) progress_->moved(blob_, size);
  }

 private:
  Writer& inner_;
  const Digest& blob_;
  TransferProgress* progress_;
};

// The HTTP download of one blob, on its own thread, into a pipe. Destroying it abandons the
// pipe and joins the thread, so no download outlives the transfer that started it. `progress`
// (may be null) hears of the bytes as they arrive. `store` (may be null) gets every byte on the
// download thread before the pipe does: writing and hashing the stored copy there leaves the
// consumer's thread to decompression, which is what bounds a single large layer.
class Download {
 public:
  Download(registry::RegistryClient& client, std::string_view repository, const Descriptor& blob,
           BytePipe& pipe, TransferProgress* progress = nullptr, Writer* store = nullptr)
      : feed_(pipe, [&client, repository = std::string(repository), &blob, progress,
                     store](Writer& into) {
          if (progress != nullptr) progress->started(blob.digest, static_cast<uint64_t>(blob.size));
          ProgressWriter counted(into, blob.digest, progress);
          std::optional<TeeWriter> stored;
          if (store != nullptr) stored.emplace(*store, counted);
          Writer& out = stored ? static_cast<Writer&>(*stored) : counted;
          client.get_blob(repository, blob.digest, static_cast<uint64_t>(blob.size), out);
        }) {}

  // Waits for the download to end and rethrows its error, if it had one.
  void finish() { feed_.finish(); }

 private:
  PipeFeed feed_;
};

}  // namespace schicht::copy
