// RetentionSweeper against the real PostgreSQL: published outbox rows and inbox records past
// their retention are deleted, batch after batch; a pending outbox row never is, however old;
// a retention of zero keeps a table's rows; two purgers at once delete each row once.
#include "saga/outbox/retention.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "saga/testing/metric_samples.hpp"
#include "saga/testing/migrated_database.hpp"

namespace saga::outbox {
std::vector<pg::Migration> TestMigrations();
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

class RetentionTest : public ::testing::Test {
 protected:
  // An outbox row created `created_ago` and published `published_ago` ("" = pending).
  void OutboxRow(const std::string& key, const std::string& created_ago, const std::string& published_ago) {
    db_.Exec(
        "INSERT INTO outbox (message_id, topic, message_key, payload, created_at, published_at) VALUES "
        "(gen_random_uuid(), 'saga.order.events', '" +
        key + "', '{}', now() - interval '" + created_ago + "', " +
        (published_ago.empty() ? std::string("NULL") : "now() - interval '" + published_ago + "'") + ")");
  }
  void InboxRow(const std::string& consumer, const std::string& processed_ago) {
    db_.Exec("INSERT INTO inbox (consumer, message_id, processed_at) VALUES ('" + consumer +
             "', gen_random_uuid(), now() - interval '" + processed_ago + "')");
  }
  std::int64_t Count(const std::string& table, const std::string& where = "true") {
    return db_.Count("SELECT count(*) FROM " + table + " WHERE " + where);
  }

  saga::testing::MigratedDatabase db_{TestMigrations()};
  observability::Metrics metrics_;
};

TEST_F(RetentionTest, RowsPastTheirRetentionAreDeletedPendingOnesNever) {
  OutboxRow("published-2-days-ago", "2 days", "2 days");
  OutboxRow("published-3-days-ago", "3 days", "3 days");
  OutboxRow("published-1-hour-ago", "2 days", "1 hour");  // created long ago, published lately
  OutboxRow("pending-for-30-days", "30 days", "");
  InboxRow("old", "31 days");
  InboxRow("old", "40 days");
  InboxRow("recent", "29 days");

  RetentionSweeper sweeper(db_.Pool(), RetentionConfig{hours(24), hours(24 * 30), 1}, seconds(60), metrics_);
  const auto result = sweeper.PurgeOnce();  // batches of one: the loop must go on until one is short
  EXPECT_EQ(result.outbox, 2);
  EXPECT_EQ(result.inbox, 2);
  EXPECT_EQ(Count("outbox"), 2);
  EXPECT_EQ(Count("outbox", "message_key = 'pending-for-30-days' AND published_at IS NULL"), 1)
      << "an unsent row is never deleted";
  EXPECT_EQ(Count("outbox", "message_key = 'published-1-hour-ago'"), 1) << "counted from its publication";
  EXPECT_EQ(Count("inbox"), 1);
  EXPECT_EQ(Count("inbox", "consumer = 'recent'"), 1);

  const auto samples = testing::MetricSamples::Parse(metrics_.Expose());
  EXPECT_EQ(samples.Find("saga_retention_deleted_rows_total", {{"table", "outbox"}}), 2);
  EXPECT_EQ(samples.Find("saga_retention_deleted_rows_total", {{"table", "inbox"}}), 2);

  EXPECT_EQ(sweeper.PurgeOnce().outbox, 0) << "nothing left to delete";
}

TEST_F(RetentionTest, ARetentionOfZeroKeepsTheRowsForever) {
  OutboxRow("published-a-year-ago", "365 days", "365 days");
  InboxRow("old", "365 days");
  RetentionSweeper sweeper(db_.Pool(), RetentionConfig{seconds(0), hours(24 * 30), 100}, seconds(60),
                           metrics_);
  const auto result = sweeper.PurgeOnce();
  EXPECT_EQ(result.outbox, 0);
  EXPECT_EQ(result.inbox, 1);
  EXPECT_EQ(Count("outbox"), 1);
  EXPECT_EQ(Count("inbox"), 0);
}

TEST_F(RetentionTest, TwoPurgersAtOnceDeleteEachRowOnce) {
  db_.Exec(
      "INSERT INTO outbox (message_id, topic, message_key, payload, created_at, published_at) "
      "SELECT gen_random_uuid(), 'saga.order.events', 'k' || i, '{}', now() - interval '2 days', "
      "now() - interval '2 days' + i * interval '1 ms' FROM generate_series(1, 600) AS i");
  RetentionSweeper first(db_.Pool(), RetentionConfig{hours(24), hours(24 * 30), 25}, seconds(60), metrics_);
  RetentionSweeper second(db_.Pool(), RetentionConfig{hours(24), hours(24 * 30), 25}, seconds(60), metrics_);
  RetentionResult a;
  RetentionResult b;
  std::thread other([&] { a = first.PurgeOnce(); });
  b = second.PurgeOnce();
  other.join();
  EXPECT_EQ(a.outbox + b.outbox, 600) << "first " << a.outbox << ", second " << b.outbox;
  EXPECT_EQ(Count("outbox"), 0);
}

TEST_F(RetentionTest, ABatchBelowOneIsRefused) {
  EXPECT_THROW(RetentionSweeper(db_.Pool(), RetentionConfig{hours(1), hours(1), 0}, seconds(60), metrics_),
               std::invalid_argument);
}

TEST(RetentionTopicsTest, AnInboxShorterThanATopicsRetentionIsFound) {
  const auto week = std::int64_t{7} * 24 * 3600 * 1000;
  const std::vector<kafka::TopicSpec> topics = {
      {"saga.order.events", 3, 1, week, 1},
      {"saga.order.events.dlq", 1, 1, 4 * week, 1},  // dead letters have no inbox record
  };
  EXPECT_EQ(TopicOutlastingTheInbox(hours(24 * 30), topics), std::nullopt) << "the default";
  EXPECT_EQ(TopicOutlastingTheInbox(hours(24 * 14), topics), std::nullopt) << "retention + roll, exactly";
  EXPECT_EQ(TopicOutlastingTheInbox(hours(24 * 7), topics), "saga.order.events")
      << "a message may stay readable a segment's roll time past its topic's retention";
  EXPECT_EQ(TopicOutlastingTheInbox(hours(24 * 7), topics, seconds(0)), std::nullopt);
  EXPECT_EQ(TopicOutlastingTheInbox(seconds(0), topics), std::nullopt) << "kept forever";
  EXPECT_EQ(TopicOutlastingTheInbox(hours(24 * 30), {{"forever", 1, 1, -1, 1}}), "forever");
}

}  // namespace
}  // namespace saga::outbox
