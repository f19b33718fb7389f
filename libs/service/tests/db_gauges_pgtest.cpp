// DbGaugeSampler against the real PostgreSQL: live queries are read at every sample, history
// queries at the first and then only once their interval has passed; a live and a history query
// fill one family with their own series; a status that empties reads 0; CountEachSql and
// CountEachInOneScanSql count every value, 0 included, and refuse a value they would have to quote.
#include "saga/service/db_gauges.hpp"

#include <gtest/gtest.h>

#include "saga/testing/metric_samples.hpp"
#include "saga/testing/migrated_database.hpp"

namespace saga::service {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using testing::MetricSamples;
using Refresh = DbGaugeSampler::Refresh;

class DbGaugesTest : public ::testing::Test {
 protected:
  DbGaugesTest() {
    db_.Exec("CREATE TABLE jobs (id serial PRIMARY KEY, status text NOT NULL)");
    db_.Exec("CREATE INDEX jobs_status_idx ON jobs (status)");
  }

  // The sampler every test uses: live statuses Queued and Running, history Done and Failed.
  void AddJobGauges(DbGaugeSampler& sampler) {
    sampler.Add("saga_test_jobs", "Jobs by status", {"status"},
                CountEachSql("jobs", "status", {"Queued", "Running"}));
    sampler.Add("saga_test_jobs", "Jobs by status", {"status"},
                CountEachInOneScanSql("jobs", "status", {"Done", "Failed"}), Refresh::kHistory);
  }

  std::optional<double> Jobs(const std::string& status) {
    return MetricSamples::Parse(metrics_.Expose()).Find("saga_test_jobs", {{"status", status}});
  }

  saga::testing::MigratedDatabase db_{{}};
  observability::Metrics metrics_;
};

TEST_F(DbGaugesTest, HistoryQueriesWaitForTheirIntervalLiveOnesDoNot) {
  DbGaugeSampler sampler(db_.Pool(), milliseconds(50), hours(1), metrics_);
  AddJobGauges(sampler);
  db_.Exec("INSERT INTO jobs (status) VALUES ('Queued'), ('Queued'), ('Running'), ('Done')");

  sampler.SampleOnce();  // the first sample reads both kinds
  EXPECT_EQ(Jobs("Queued"), 2);
  EXPECT_EQ(Jobs("Running"), 1);
  EXPECT_EQ(Jobs("Done"), 1);
  EXPECT_EQ(Jobs("Failed"), 0) << "every listed status has a series";

  db_.Exec("UPDATE jobs SET status = 'Done' WHERE status = 'Running'");
  db_.Exec("UPDATE jobs SET status = 'Failed' WHERE id = (SELECT min(id) FROM jobs WHERE status = 'Queued')");
  sampler.SampleOnce();
  EXPECT_EQ(Jobs("Queued"), 1) << "live: read again";
  EXPECT_EQ(Jobs("Running"), 0) << "live: an emptied status reads 0";
  EXPECT_EQ(Jobs("Done"), 1) << "history: not read again within its interval";
  EXPECT_EQ(Jobs("Failed"), 0);
}

TEST_F(DbGaugesTest, HistoryQueriesAreReadAgainOnceTheirIntervalPassed) {
  DbGaugeSampler sampler(db_.Pool(), milliseconds(50), milliseconds(0), metrics_);
  AddJobGauges(sampler);
  db_.Exec("INSERT INTO jobs (status) VALUES ('Done')");
  sampler.SampleOnce();
  EXPECT_EQ(Jobs("Done"), 1);
  db_.Exec("INSERT INTO jobs (status) VALUES ('Done'), ('Failed')");
  sampler.SampleOnce();
  EXPECT_EQ(Jobs("Done"), 2);
  EXPECT_EQ(Jobs("Failed"), 1);
}

TEST_F(DbGaugesTest, AFailedHistorySampleIsRetriedAtTheNextSample) {
  DbGaugeSampler sampler(db_.Pool(), milliseconds(50), hours(1), metrics_);
  AddJobGauges(sampler);
  db_.Exec("ALTER TABLE jobs RENAME TO jobs_away");
  EXPECT_THROW(sampler.SampleOnce(), core::InfraError);
  db_.Exec("ALTER TABLE jobs_away RENAME TO jobs");
  db_.Exec("INSERT INTO jobs (status) VALUES ('Done')");
  sampler.SampleOnce();
  EXPECT_EQ(Jobs("Done"), 1) << "the history was not marked as read by the failed sample";
}

TEST_F(DbGaugesTest, TheCountingQueriesCountEveryValueAndRefuseQuotes) {
  db_.Exec("INSERT INTO jobs (status) VALUES ('Queued'), ('Queued'), ('Done')");
  for (const auto& sql : {CountEachSql("jobs", "status", {"Queued", "Running"}),
                          CountEachInOneScanSql("jobs", "status", {"Queued", "Running"})}) {
    EXPECT_EQ(db_.Count("SELECT count FROM (" + sql + ") AS c(status, count) WHERE status = 'Queued'"), 2)
        << sql;
    EXPECT_EQ(db_.Count("SELECT count FROM (" + sql + ") AS c(status, count) WHERE status = 'Running'"), 0)
        << sql;
    EXPECT_EQ(db_.Count("SELECT count(*) FROM (" + sql + ") AS c"), 2)
        << sql << ": one row per value, no other";
  }
  EXPECT_THROW((void)CountEachSql("jobs", "status", {"it's"}), std::invalid_argument);
  EXPECT_THROW((void)CountEachSql("jobs", "status", {}), std::invalid_argument);
  EXPECT_THROW((void)CountEachInOneScanSql("jobs", "status", {"it's"}), std::invalid_argument);
  EXPECT_THROW((void)CountEachInOneScanSql("jobs", "status", {}), std::invalid_argument);
}

}  // namespace
}  // namespace saga::service
