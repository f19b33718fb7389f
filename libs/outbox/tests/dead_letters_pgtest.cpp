// The dead_letters table against the real PostgreSQL: recorded once per source position, listed
// and filtered, replayed through the outbox (original topic without the prefix, no dlq-*
// headers, same message id) exactly once, discarded, and a payload that is not text kept intact
// and refused for replay.
#include "saga/outbox/dead_letters.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "saga/testing/migrated_database.hpp"

namespace saga::outbox {
std::vector<pg::Migration> TestMigrations();
namespace {

const core::Timestamp kT0 = core::FromUnixMicros(1'790'000'000'000'000);

DeadLetter Letter(std::int64_t offset, std::string payload = R"({"type":"ProcessPayment"})") {
  DeadLetter letter;
  letter.consumer = "payment-commands";
  letter.topic = "t1-saga.payment.commands";
  letter.dlq_topic = "t1-saga.payment.commands.dlq";
  letter.partition = 2;
  letter.offset = offset;
  letter.key = "order-1";
  letter.message_id = "6f1c1a52-3f7e-4a53-9b1e-0d5b1f0e9a11";
  letter.message_type = "ProcessPayment";
  letter.payload = std::move(payload);
  letter.headers = {{"message-id", "6f1c1a52-3f7e-4a53-9b1e-0d5b1f0e9a11"},
                    {"type", "ProcessPayment"},
                    {"dlq-reason", "an older dead-lettering"}};
  letter.reason = "gateway said no";
  letter.attempts = 5;
  letter.failed_at = kT0;
  return letter;
}

class DeadLettersTest : public ::testing::Test {
 protected:
  template <typename F>
  auto InTx(F&& fn) {
    auto lease = db_.Pool().Acquire();
    pqxx::work tx(*lease);
    auto result = fn(tx);
    tx.commit();
    return result;
  }
  std::optional<std::int64_t> Record(const DeadLetter& letter) {
    return InTx([&](pqxx::work& tx) { return RecordDeadLetter(tx, letter); });
  }

  saga::testing::MigratedDatabase db_{TestMigrations(), 4};
};

TEST_F(DeadLettersTest, ARedeliveredDeadLetterIsRecordedOnce) {
  const auto id = Record(Letter(10));
  ASSERT_TRUE(id.has_value());
  EXPECT_FALSE(Record(Letter(10)).has_value());
  EXPECT_EQ(db_.Count("SELECT count(*) FROM dead_letters"), 1);
  const auto found = InTx([&](pqxx::work& tx) { return FindDeadLetter(tx, *id); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->payload, Letter(10).payload);
  EXPECT_EQ(found->headers, Letter(10).headers);
  EXPECT_EQ(found->failed_at, kT0);
  EXPECT_EQ(found->status, DeadLetterStatus::kPending);
  EXPECT_FALSE(found->resolved_at.has_value());
}

TEST_F(DeadLettersTest, ListsNewestFirstFilteredByTopicAndStatus) {
  for (int offset = 1; offset <= 3; ++offset) (void)Record(Letter(offset));
  auto other = Letter(1);
  other.topic = "t1-saga.inventory.events";
  other.dlq_topic = "t1-saga.inventory.events.dlq";
  (void)Record(other);
  const auto all = InTx([&](pqxx::work& tx) { return ListDeadLetters(tx, {}, {}); });
  EXPECT_EQ(all.total, 4);
  ASSERT_EQ(all.items.size(), 4U);
  EXPECT_GT(all.items[0].id, all.items[1].id);
  const auto payments = InTx([&](pqxx::work& tx) {
    return ListDeadLetters(tx, {std::string("t1-saga.payment.commands.dlq"), std::nullopt}, {2, 0});
  });
  EXPECT_EQ(payments.total, 3) << "the .dlq topic names them too";
  EXPECT_EQ(payments.items.size(), 2U) << "one page";
  const auto discarded =
      InTx([&](pqxx::work& tx) { return ListDeadLetters(tx, {std::nullopt, DeadLetterStatus::kDiscarded}, {}); });
  EXPECT_EQ(discarded.total, 0);
}

TEST_F(DeadLettersTest, ReplayGoesThroughTheOutboxOnce) {
  const auto id = *Record(Letter(7));
  auto replayed = InTx([&](pqxx::work& tx) { return ReplayDeadLetter(tx, id, "ops-alice", "t1-"); });
  ASSERT_TRUE(replayed.HasValue());
  EXPECT_EQ(replayed.Value().status, DeadLetterStatus::kReplayed);
  EXPECT_EQ(replayed.Value().resolved_by, "ops-alice");
  EXPECT_TRUE(replayed.Value().resolved_at.has_value());
  EXPECT_EQ(db_.Count("SELECT count(*) FROM outbox WHERE topic = 'saga.payment.commands' AND message_key = "
                      "'order-1' AND published_at IS NULL"),
            1)
      << "the relay adds the prefix back";
  auto lease = db_.Pool().Acquire();
  pqxx::work read(*lease);
  const auto row = read.exec1("SELECT payload, headers::text FROM outbox");
  EXPECT_EQ(row[0].as<std::string>(), Letter(7).payload);
  const auto headers = nlohmann::json::parse(row[1].as<std::string>());
  EXPECT_EQ(headers["message-id"], "6f1c1a52-3f7e-4a53-9b1e-0d5b1f0e9a11") << "consumers dedupe on it";
  EXPECT_EQ(headers["replayed-from"], "t1-saga.payment.commands.dlq");
  EXPECT_FALSE(headers.contains("dlq-reason"));
  read.commit();

  auto again = InTx([&](pqxx::work& tx) { return ReplayDeadLetter(tx, id, "ops-bob", "t1-"); });
  ASSERT_FALSE(again.HasValue());
  EXPECT_EQ(again.Error().kind, DeadLetterRefusal::Kind::kNotPending);
  EXPECT_EQ(again.Error().status, DeadLetterStatus::kReplayed);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM outbox"), 1);
  auto discard = InTx([&](pqxx::work& tx) { return DiscardDeadLetter(tx, id, "ops-bob", ""); });
  EXPECT_EQ(discard.Error().kind, DeadLetterRefusal::Kind::kNotPending);
  auto missing = InTx([&](pqxx::work& tx) { return ReplayDeadLetter(tx, id + 100, "ops", ""); });
  EXPECT_EQ(missing.Error().kind, DeadLetterRefusal::Kind::kNotFound);

  // The same message dead-lettered again after its replay is a new dead letter, replayable again.
  const auto second = *Record(Letter(8));
  EXPECT_TRUE(InTx([&](pqxx::work& tx) { return ReplayDeadLetter(tx, second, "ops", "t1-"); }).HasValue());
  EXPECT_EQ(db_.Count("SELECT count(*) FROM outbox"), 2);
}

TEST_F(DeadLettersTest, DiscardKeepsWhoAndWhy) {
  const auto id = *Record(Letter(3));
  auto discarded = InTx([&](pqxx::work& tx) { return DiscardDeadLetter(tx, id, "ops-carol", "test order"); });
  ASSERT_TRUE(discarded.HasValue());
  EXPECT_EQ(discarded.Value().status, DeadLetterStatus::kDiscarded);
  EXPECT_EQ(discarded.Value().resolution, "test order");
  EXPECT_EQ(discarded.Value().resolved_by, "ops-carol");
  EXPECT_EQ(db_.Count("SELECT count(*) FROM outbox"), 0);
}

TEST_F(DeadLettersTest, APayloadThatIsNotTextIsKeptIntactAndNotReplayed) {
  const std::string bytes("\xff\x00garbage\xc3", 10);
  const auto id = *Record(Letter(4, bytes));
  const auto found = InTx([&](pqxx::work& tx) { return FindDeadLetter(tx, id); });
  EXPECT_EQ(found->payload, bytes);
  auto replay = InTx([&](pqxx::work& tx) { return ReplayDeadLetter(tx, id, "ops", ""); });
  EXPECT_EQ(replay.Error().kind, DeadLetterRefusal::Kind::kNotText);
  EXPECT_TRUE(InTx([&](pqxx::work& tx) { return DiscardDeadLetter(tx, id, "ops", "unreadable"); }).HasValue());
}

TEST(DeadLetterTextTest, RecognisesUtf8WithoutNul) {
  EXPECT_TRUE(IsText(R"({"a":"é€😀"})"));
  EXPECT_TRUE(IsText(""));
  EXPECT_FALSE(IsText(std::string("a\0b", 3)));
  EXPECT_FALSE(IsText("\xc3"));          // cut short
  EXPECT_FALSE(IsText("\xc0\xaf"));      // overlong
  EXPECT_FALSE(IsText("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(IsText("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST(DeadLetterStatusTest, NamesRoundTrip) {
  for (const auto status : {DeadLetterStatus::kPending, DeadLetterStatus::kReplayed, DeadLetterStatus::kDiscarded}) {
    EXPECT_EQ(ParseDeadLetterStatus(ToString(status)), status);
  }
  EXPECT_FALSE(ParseDeadLetterStatus("lost").has_value());
}

}  // namespace
}  // namespace saga::outbox
