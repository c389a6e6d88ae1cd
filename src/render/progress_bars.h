// Pull and push progress on a terminal: one bar per layer, redrawn in place, as podman draws them
// ("Copying blob 0123456789ab [=====>------] 1.2MiB / 4.0MiB | 9.8MiB/s", then "done", or
// "skipped: already exists" for blobs the destination had). Lines other than "Copying blob" are
// printed as they come, above the bars of the next image.
//
// Thread-safety: line() runs on the copying thread, started() and moved() on transfer threads;
// one mutex orders them all.
#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "copy/options.h"
#include "core/digest.h"

namespace schicht::render {

class ProgressBars final : public copy::TransferProgress {
 public:
  // `out` is a terminal; its width is read once, here.
  explicit ProgressBars(std::FILE* out);
  // Draws the bars a last time (a failed pull leaves them where they stopped).
  ~ProgressBars() override;
  ProgressBars(const ProgressBars&) = delete;
  ProgressBars& operator=(const ProgressBars&) = delete;

  // A report line of the copy engine (copy::ReportLine).
  void line(const std::string& text);
  void started(const Digest& blob, uint64_t size) override;
  void moved(const Digest& blob, uint64_t bytes) override;

 private:
  struct Row {
    Digest blob;
    uint64_t size = 0;
    uint64_t done = 0;
    bool started = false;
    std::chrono::steady_clock::time_point since;
  };
  Row* find(const Digest& blob);
  std::string render(const Row& row, bool final) const;
  // Redraws every row over the previous drawing; called with the mutex held.
  void draw(bool final);

  std::mutex mutex_;
  std::FILE* out_;
  size_t width_ = 80;
  std::vector<Row> rows_;
  size_t drawn_ = 0;  // lines of the previous drawing, to move back over
  std::chrono::steady_clock::time_point last_draw_;
};

// "512b", "1.5KiB", "12.3MiB": the binary units podman's bars use.
std::string bar_size(uint64_t bytes);

}  // namespace schicht::render
