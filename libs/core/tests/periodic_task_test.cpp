#include "saga/core/periodic_task.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace saga::core {
namespace {

using std::chrono::milliseconds;

TEST(PeriodicTaskTest, RunsPassesUntilStoppedAndSurvivesFailures) {
  std::atomic<int> passes{0};
  std::atomic<int> errors{0};
  std::promise<void> third;
  PeriodicTask task(
      milliseconds(1),
      [&] {
        const int n = ++passes;
        if (n == 2) throw std::runtime_error("a failed pass");
        if (n == 3) third.set_value();
      },
      [&](const std::exception&) { ++errors; });
  task.Start();
  task.Start();  // already running: no second thread
  EXPECT_EQ(third.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "passes go on after a failure";
  task.Stop();
  const int after_stop = passes;
  EXPECT_GE(after_stop, 3);
  EXPECT_EQ(errors, 1);
  EXPECT_TRUE(task.StopRequested());
  EXPECT_EQ(passes, after_stop) << "no pass after Stop() returned";
}

TEST(PeriodicTaskTest, StopWakesTheWaitAndWaitFirstDelaysTheFirstPass) {
  std::atomic<int> passes{0};
  PeriodicTask task(std::chrono::hours(1), [&] { ++passes; }, {}, /*wait_first=*/true);
  task.Start();
  task.Stop();  // returns at once although the interval is an hour
  EXPECT_EQ(passes, 0) << "the first pass waits an interval";
  std::promise<void> first;
  PeriodicTask eager(
      std::chrono::hours(1),
      [&] {
        if (++passes == 1) first.set_value();
      },
      {});
  eager.Start();
  ASSERT_EQ(first.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  eager.Stop();
  EXPECT_EQ(passes, 1) << "one pass at once, then the wait, cut short by Stop()";
}

}  // namespace
}  // namespace saga::core
