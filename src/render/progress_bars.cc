#include "render/progress_bars.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace schicht::render {
namespace {

constexpr std::string_view kBlobLine = "Copying blob ";
// The bar takes what the text beside it leaves of the line, within these bounds.
constexpr size_t kMinBarWidth = 10;
constexpr size_t kMaxBarWidth = 40;
// Often enough to look live, rarely enough that six parallel transfers cost nothing.
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string bar(uint64_t done, uint64_t size, size_t width) {
  size_t filled = size == 0 ? width : static_cast<size_t>(done * width / size);
  filled = std::min(filled, width);
  std::string out(filled, '=');
  if (filled < width) {
    if (filled > 0) out.back() = '>';
    out.append(width - filled, '-');
  }
  return "[" + out + "]";
}

}  // namespace

std::string bar_size(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{}b", bytes);
  double value = static_cast<double>(bytes) / 1024;
  const char* unit = "KiB";
  for (const char* next : {"MiB", "GiB", "TiB"}) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return fmt::format("{:.1f}{}", value, unit);
}

ProgressBars::ProgressBars(std::FILE* out) : out_(out) {
  winsize size{};
  if (::ioctl(::fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col > 20) width_ = size.ws_col;
}

ProgressBars::~ProgressBars() {
  std::lock_guard lock(mutex_);
  if (!rows_.empty()) draw(/*final=*/false);
}

ProgressBars::Row* ProgressBars::find(const Digest& blob) {
  for (Row& row : rows_) {
    if (row.blob == blob) return &row;
  }
  return nullptr;
}

void ProgressBars::line(const std::string& text) {
  std::lock_guard lock(mutex_);
  if (text.starts_with(kBlobLine)) {
    if (std::optional<Digest> blob = Digest::try_parse(text.substr(kBlobLine.size()))) {
      if (find(*blob) == nullptr) rows_.push_back(Row{.blob = *blob});
      draw(false);
      return;
    }
  }
  // The blobs are behind us: their last state stays on the screen, the line goes below.
  if (!rows_.empty()) {
    draw(/*final=*/true);
    rows_.clear();
    drawn_ = 0;
  }
  fmt::print(out_, "{}\n", text);
  std::fflush(out_);
}

void ProgressBars::started(const Digest& blob, uint64_t size) {
  std::lock_guard lock(mutex_);
  Row* row = find(blob);
  if (row == nullptr) {
    rows_.push_back(Row{.blob = blob});
    row = &rows_.back();
  }
  row->size = size;
  row->done = 0;
  row->started = true;
  row->since = std::chrono::steady_clock::now();
  draw(false);
}

void ProgressBars::moved(const Digest& blob, uint64_t bytes) {
  std::lock_guard lock(mutex_);
  Row* row = find(blob);
  if (row == nullptr) return;
  row->done += bytes;
  bool complete = row->done >= row->size;
  if (complete || std::chrono::steady_clock::now() - last_draw_ >= kRedrawInterval) draw(false);
}

std::string ProgressBars::render(const Row& row, bool final) const {
  std::string text = fmt::format("{}{}", kBlobLine, row.blob.short_hex());
  if (!row.started) return final ? text + " skipped: already exists" : text;
  if (row.done >= row.size) return text + " done";
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - row.since).count();
  std::string counts = fmt::format(" {} / {}", bar_size(row.done), bar_size(row.size));
  if (seconds > 0.2) {
    counts += fmt::format(" | {}/s", bar_size(static_cast<uint64_t>(row.done / seconds)));
  }
  size_t used = text.size() + counts.size() + 3;  // the brackets and a space
  size_t room = width_ > used + 1 ? width_ - used - 1 : 0;
  return text + " " + bar(row.done, row.size, std::clamp(room, kMinBarWidth, kMaxBarWidth)) +
         counts;
}

void ProgressBars::draw(bool final) {
  std::string out;
  // Back to the first line of the previous drawing; each line is cleared before it is
  // rewritten, and kept narrower than the terminal so that none wraps.
  if (drawn_ > 0) out += fmt::format("\x1b[{}A", drawn_);
  for (const Row& row : rows_) {
    std::string text = render(row, final);
    if (text.size() >= width_) text.resize(width_ - 1);
    out += "\r\x1b[2K" + text + "\n";
  }
  drawn_ = rows_.size();
  std::fwrite(out.data(), 1, out.size(), out_);
  std::fflush(out_);
  last_draw_ = std::chrono::steady_clock::now();
}

}  // namespace schicht::render
