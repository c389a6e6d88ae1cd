#include "copy/byte_pipe.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "copy/parallel.h"
#include "core/error.h"

namespace schicht::copy {
namespace {

std::string pattern(size_t size) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return out;
}

TEST(BytePipeTest, CarriesMoreThanItsCapacityInOrder) {
  std::string data = pattern(1 << 20);
  BytePipe pipe(4096);
  std::thread producer([&] {
    // Odd write sizes, so that writes wrap around the ring.
    for (size_t at = 0; at < data.size(); at += 1000) {
      pipe.writer().write(data.data() + at, std::min<size_t>(1000, data.size() - at));
    }
    pipe.close();
  });
  std::string got = read_all(pipe.reader(), data.size() + 1, "pipe");
  producer.join();
  EXPECT_EQ(got, data);
}

TEST(BytePipeTest, TheProducersErrorReachesTheReaderAfterTheBufferedBytes) {
  BytePipe pipe(64);
  pipe.writer().write("abc");
  pipe.fail(std::make_exception_ptr(Error(ErrorKind::kNetwork, "connection reset")));
  char buffer[8];
  EXPECT_EQ(pipe.reader().read(buffer, sizeof buffer), 3u);
  EXPECT_TRUE(pipe.failed());
  try {
    pipe.reader().read(buffer, sizeof buffer);
    FAIL() << "expected the producer's error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNetwork);
    EXPECT_STREQ(e.what(), "connection reset");
  }
}

TEST(BytePipeTest, AnAbandonedPipeStopsABlockedWriter) {
  BytePipe pipe(16);
  std::atomic<bool> threw{false};
  std::thread producer([&] {
    try {
      std::string big(1024, 'x');
      pipe.writer().write(big);
    } catch (const Error&) {
      threw = true;
    }
  });
  pipe.abandon();
  producer.join();
  EXPECT_TRUE(threw);
}

TEST(BytePipeTest, CancellingTheGroupStopsAWaitingReader) {
  std::atomic<bool> cancelled{false};
  BytePipe pipe(16, &cancelled);
  std::thread canceller([&] { cancelled = true; });
  char buffer[4];
  EXPECT_THROW(pipe.reader().read(buffer, sizeof buffer), Error);
  canceller.join();
}

TEST(RunParallelTest, RunsEveryTaskOnce) {
  std::vector<std::atomic<int>> runs(50);
  run_parallel(runs.size(), 6, [&](size_t i, const std::atomic<bool>&) { ++runs[i]; });
  for (const auto& r : runs) EXPECT_EQ(r.load(), 1);
}

TEST(RunParallelTest, RethrowsTheFirstErrorAndSkipsTasksNotStarted) {
  std::atomic<int> started{0};
  try {
    run_parallel(1000, 1, [&](size_t i, const std::atomic<bool>&) {
      ++started;
      if (i == 3) fail(ErrorKind::kIntegrity, "task 3 failed");
    });
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIntegrity);
    EXPECT_STREQ(e.what(), "task 3 failed");
  }
  EXPECT_EQ(started.load(), 4);
}

TEST(RunParallelTest, NoTasksIsFine) {
  run_parallel(0, 6, [](size_t, const std::atomic<bool>&) { FAIL(); });
}

}  // namespace
}  // namespace schicht::copy
