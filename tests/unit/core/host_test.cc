// info's facts about this machine: read from the kernel and /proc, never failing.
#include "core/host.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "core/platform.h"

namespace schicht {
namespace {

TEST(HostFactsTest, DescribesThisMachine) {
  HostFacts facts = host_facts();
  EXPECT_EQ(facts.os, Platform::host().os);
  EXPECT_EQ(facts.architecture, Platform::host().architecture);
  EXPECT_GE(facts.cpus, 1);
  EXPECT_FALSE(facts.kernel.empty());
  EXPECT_GT(facts.mem_total, facts.mem_free);
  EXPECT_EQ(facts.rootless, ::geteuid() != 0);
  // "0h 6m 53.00s": hours, minutes, seconds with two decimals.
  EXPECT_NE(facts.uptime.find("h "), std::string::npos) << facts.uptime;
  EXPECT_TRUE(facts.uptime.ends_with("s")) << facts.uptime;
}

}  // namespace
}  // namespace schicht
