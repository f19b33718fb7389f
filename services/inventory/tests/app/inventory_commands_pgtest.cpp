// The inventory's saga commands against the real PostgreSQL: each command runs through the Kafka
// handler's dispatch inside a real transaction (as the reliable consumer does), and the test
// checks the state and the outbox rows it left (type, topic, key, payload, causation). Also the
// expiry of reservations and the StockUpdated / LowStockNotification messages of the REST use
// cases.
#include "services/inventory/app/inventory_commands.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <set>

#include "saga/contracts/message_types.hpp"
#include "saga/core/errors.hpp"
#include "saga/pg/sql.hpp"
#include "saga/testing/manual_clock.hpp"
#include "saga/testing/migrated_database.hpp"
#include "saga/testing/test_env.hpp"
#include "services/inventory/app/inventory_app.hpp"
#include "services/inventory/app/reservation_expiry_worker.hpp"
#include "services/inventory/infra/inventory_command_handler.hpp"
#include "services/inventory/infra/migrations.hpp"
#include "services/inventory/infra/pg_inventory_repository.hpp"
#include "services/inventory/infra/pg_unit_of_work.hpp"
#include "services/inventory/tests/builders.hpp"

namespace saga::inventory {
namespace {

using std::chrono::minutes;
using testing::kT0;
using testing::ProductBuilder;

constexpr const char* kTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

struct OutboxRow {
  std::string topic;
  std::string key;
  contracts::Envelope envelope;
};

class InventoryCommandsTest : public ::testing::Test {
 protected:
  core::ProductId Seed(std::int64_t stock, const std::string& sku = "") {
    ProductBuilder builder;
    if (!sku.empty()) builder.WithSku(sku);
    builder.WithStock(stock);
    auto item = builder.BuildItem();
    repo_.CreateProduct(builder.BuildProduct(), item);
    return builder.Id();
  }
  InventoryItem Stock(const core::ProductId& id) { return repo_.GetByProductId(id).value(); }

  contracts::Envelope Command(const std::string& type, nlohmann::json payload, const core::OrderId& order) {
    payload["orderId"] = order.Get().ToString();
    return contracts::MakeEnvelope(type, std::move(payload),
                                   {"corr-" + order.Get().ToString(), std::nullopt, saga_, order,
                                    "order-service", kTrace, clock_.Now()})
        .Value();
  }
  contracts::Envelope Reserve(const core::OrderId& order, const std::vector<ReservationLine>& lines,
                              core::Timestamp expires_at) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& line : lines) {
      items.push_back({{"productId", line.product_id.Get().ToString()}, {"quantity", line.quantity}});
    }
    return Command("ReserveInventory", {{"items", items}, {"expiresAt", core::ToRfc3339(expires_at)}}, order);
  }

  // What the reliable consumer does: the handler inside a transaction, then commit.
  CommandReply Dispatch(const contracts::Envelope& command) {
    auto lease = db_.Pool().Acquire();
    pqxx::work tx(*lease);
    outbox::OutboxBuffer outbox;
    PgTransactionUnitOfWork unit(tx, outbox);
    auto reply = DispatchInventoryCommand(command, unit, clock_);
    outbox.Flush(tx);
    tx.commit();
    return reply;
  }

  // The outbox rows written since the last call, decoded.
  std::vector<OutboxRow> Outbox() {
    auto lease = db_.Pool().Acquire();
    pqxx::read_transaction tx(*lease);
    std::vector<OutboxRow> rows;
    for (const auto& row : tx.exec_params(
             "SELECT id, topic, message_key, payload FROM outbox WHERE id > $1 ORDER BY id", seen_)) {
      seen_ = row[0].as<std::int64_t>();
      auto decoded = contracts::Decode(row[3].as<std::string>());
      EXPECT_TRUE(decoded.HasValue()) << (decoded ? "" : decoded.Error().Reason());
      if (decoded)
        rows.push_back({row[1].as<std::string>(), row[2].as<std::string>(), std::move(decoded).Value()});
    }
    return rows;
  }
  static std::vector<std::string> Types(const std::vector<OutboxRow>& rows) {
    std::vector<std::string> types;
    types.reserve(rows.size());
    for (const auto& row : rows) types.push_back(row.envelope.type);
    return types;
  }
  static const OutboxRow& Last(const std::vector<OutboxRow>& rows) {
    EXPECT_FALSE(rows.empty());
    return rows.back();
  }

  saga::testing::MigratedDatabase db_{Migrations(), 4};
  PgInventoryRepository repo_{db_.Pool()};
  saga::testing::ManualClock clock_{kT0};
  core::SagaId saga_ = core::NewId<core::SagaId>();
  std::int64_t seen_ = 0;
};

TEST_F(InventoryCommandsTest, ReserveHoldsTheStockAndRepliesInventoryReservedOnce) {
  const auto a = Seed(50);
  const auto b = Seed(20);
  Outbox();  // product creation through the pool repository publishes nothing
  const auto order = core::NewId<core::OrderId>();
  const auto expires = kT0 + minutes(15);
  const auto command = Reserve(order, {{a, 3}, {b, 2}, {a, 1}}, expires);

  const auto reply = Dispatch(command);
  EXPECT_EQ(reply.type, "InventoryReserved");
  EXPECT_EQ(Stock(a).Reserved(), 4) << "lines of one product add up";
  EXPECT_EQ(Stock(b).Reserved(), 2);
  EXPECT_EQ(Stock(a).Version(), 2) << "each stock row written once";
  EXPECT_EQ(
      db_.Count(
          "SELECT count(DISTINCT (xmin::text, cmin::text)) FROM inventory_items WHERE product_id IN ('" +
          a.Get().ToString() + "', '" + b.Get().ToString() + "')"),
      1)
      << "both stock rows in one statement";
  EXPECT_EQ(db_.Count("SELECT count(DISTINCT (xmin::text, cmin::text)) FROM reservations WHERE order_id = '" +
                      order.Get().ToString() + "'"),
            1)
      << "both reservations in one statement";

  const auto rows = Outbox();
  ASSERT_EQ(Types(rows), (std::vector<std::string>{"StockUpdated", "StockUpdated", "InventoryReserved"}));
  for (const auto& row : rows) {
    const auto& e = row.envelope;
    EXPECT_EQ(row.topic, "saga.inventory.events");
    EXPECT_EQ(row.key, order.Get().ToString());
    EXPECT_EQ(e.order_id, order);
    EXPECT_EQ(e.causation_id, command.message_id);
    EXPECT_EQ(e.correlation_id, command.correlation_id);
    EXPECT_EQ(e.saga_id, saga_);
    EXPECT_EQ(e.traceparent, kTrace);
    EXPECT_EQ(e.producer, "inventory-service");
    EXPECT_EQ(e.occurred_at, kT0);
    EXPECT_NE(e.message_id, command.message_id);
  }
  const auto& stock =
      rows[rows[0].envelope.payload["productId"] == a.Get().ToString() ? 0 : 1].envelope.payload;
  EXPECT_EQ(stock["quantity"], 50);
  EXPECT_EQ(stock["reserved"], 4);
  EXPECT_EQ(stock["available"], 46);
  const auto& reserved = rows[2].envelope.payload;
  EXPECT_EQ(reserved["orderId"], order.Get().ToString());
  EXPECT_EQ(reserved["expiresAt"], core::ToRfc3339(expires));
  ASSERT_EQ(reserved["reservations"].size(), 2U);
  for (const auto& r : reserved["reservations"]) {
    EXPECT_EQ(r["quantity"], r["productId"] == a.Get().ToString() ? 4 : 2);
    EXPECT_TRUE(core::Uuid::Parse(r["reservationId"].get<std::string>()).has_value());
  }

  // A repeated command (another message id): the same answer, nothing held twice.
  const auto again = Reserve(order, {{a, 3}, {b, 2}, {a, 1}}, expires);
  EXPECT_EQ(Dispatch(again).type, "InventoryReserved");
  const auto repeat = Outbox();
  ASSERT_EQ(Types(repeat), (std::vector<std::string>{"InventoryReserved"}));
  EXPECT_EQ(repeat[0].envelope.causation_id, again.message_id);
  EXPECT_EQ(repeat[0].envelope.payload["reservations"], reserved["reservations"]);
  EXPECT_EQ(Stock(a).Reserved(), 4);

  // The commit moves both stock rows and both reservations, one statement each.
  EXPECT_EQ(Dispatch(Command("CommitInventory", {}, order)).type, "InventoryCommitted");
  EXPECT_EQ(Stock(a).Sold(), 4);
  EXPECT_EQ(Stock(b).Sold(), 2);
  EXPECT_EQ(Stock(b).Reserved(), 0);
  EXPECT_EQ(Types(Outbox()),
            (std::vector<std::string>{"StockUpdated", "StockUpdated", "InventoryCommitted"}));
  EXPECT_EQ(db_.Count("SELECT count(DISTINCT (xmin::text, cmin::text)) FROM reservations WHERE order_id = '" +
                      order.Get().ToString() + "' AND status = 'Committed'"),
            1);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM reservations WHERE order_id = '" + order.Get().ToString() +
                      "' AND status = 'Committed'"),
            2);
}

TEST_F(InventoryCommandsTest, RefusedReservationsHoldNothingAndSayWhy) {
  const auto a = Seed(5);
  const auto b = Seed(1);
  Outbox();
  const auto order = core::NewId<core::OrderId>();
  auto reply = Dispatch(Reserve(order, {{a, 2}, {b, 2}}, kT0 + minutes(15)));
  EXPECT_EQ(reply.type, "InventoryReservationFailed");
  EXPECT_EQ(reply.reason, "InsufficientStock");
  auto rows = Outbox();
  ASSERT_EQ(Types(rows), (std::vector<std::string>{"InventoryReservationFailed"})) << "no stock changed";
  EXPECT_EQ(rows[0].envelope.payload, nlohmann::json({{"orderId", order.Get().ToString()},
                                                      {"reason", "InsufficientStock"},
                                                      {"productId", b.Get().ToString()},
                                                      {"available", 1}}));
  EXPECT_EQ(Stock(a).Reserved(), 0);

  const auto unknown = core::NewId<core::ProductId>();
  reply = Dispatch(Reserve(order, {{unknown, 1}}, kT0 + minutes(15)));
  EXPECT_EQ(reply.reason, "UnknownProduct");
  EXPECT_EQ(Last(Outbox()).envelope.payload, nlohmann::json({{"orderId", order.Get().ToString()},
                                                             {"reason", "UnknownProduct"},
                                                             {"productId", unknown.Get().ToString()}}));

  reply = Dispatch(Reserve(order, {{a, 1}}, kT0 - minutes(1)));
  EXPECT_EQ(reply.reason, "ReservationExpired") << "a command that arrives after its expiry holds nothing";
  Outbox();

  // Only now does the order get its stock.
  EXPECT_EQ(Dispatch(Reserve(order, {{a, 5}}, kT0 + minutes(15))).type, "InventoryReserved");
  EXPECT_EQ(Stock(a).Available(), 0);
}

TEST_F(InventoryCommandsTest, ReleaseGivesBackHeldStockAndALateReserveIsNotHeldAgain) {
  const auto a = Seed(8);
  const auto order = core::NewId<core::OrderId>();
  ASSERT_EQ(Dispatch(Reserve(order, {{a, 3}}, kT0 + minutes(15))).type, "InventoryReserved");
  Outbox();

  const auto release = Command("ReleaseInventory", {{"reason", "PaymentFailed"}}, order);
  EXPECT_EQ(Dispatch(release).type, "InventoryReleased");
  auto rows = Outbox();
  ASSERT_EQ(Types(rows), (std::vector<std::string>{"StockUpdated", "InventoryReleased"}));
  EXPECT_EQ(rows[0].envelope.payload["available"], 8);
  EXPECT_EQ(rows[1].envelope.payload,
            nlohmann::json({{"orderId", order.Get().ToString()}, {"reason", "PaymentFailed"}}));
  EXPECT_EQ(rows[1].envelope.causation_id, release.message_id);
  EXPECT_EQ(Stock(a).Reserved(), 0);

  EXPECT_EQ(Dispatch(Command("ReleaseInventory", {{"reason", "PaymentFailed"}}, order)).type,
            "InventoryReleased");
  EXPECT_EQ(Types(Outbox()), (std::vector<std::string>{"InventoryReleased"}))
      << "repeatable, no stock change";

  // The original Reserve, redelivered late: the order was compensated, nothing is held again.
  const auto late = Dispatch(Reserve(order, {{a, 3}}, kT0 + minutes(15)));
  EXPECT_EQ(late.type, "InventoryReservationFailed");
  EXPECT_EQ(late.reason, "AlreadyCompensated");
  EXPECT_EQ(Types(Outbox()), (std::vector<std::string>{"InventoryReservationFailed"}));
  EXPECT_EQ(Stock(a).Reserved(), 0);

  const auto nothing = core::NewId<core::OrderId>();
  EXPECT_EQ(Dispatch(Command("ReleaseInventory", {{"reason", "Cancelled"}}, nothing)).type,
            "InventoryReleased")
      << "nothing to release is answered too";
  EXPECT_EQ(Types(Outbox()), (std::vector<std::string>{"InventoryReleased"}));
}

TEST_F(InventoryCommandsTest, CommitSellsOnceAndAReleaseAfterwardsReturnsTheSale) {
  const auto a = Seed(10);
  const auto order = core::NewId<core::OrderId>();
  ASSERT_EQ(Dispatch(Reserve(order, {{a, 4}}, kT0 + minutes(15))).type, "InventoryReserved");
  Outbox();

  const auto commit = Command("CommitInventory", {}, order);
  EXPECT_EQ(Dispatch(commit).type, "InventoryCommitted");
  auto rows = Outbox();
  ASSERT_EQ(Types(rows), (std::vector<std::string>{"StockUpdated", "InventoryCommitted"}));
  EXPECT_EQ(rows[0].envelope.payload["quantity"], 6);
  EXPECT_EQ(rows[0].envelope.payload["reserved"], 0);
  EXPECT_EQ(rows[1].envelope.payload,
            nlohmann::json({{"orderId", order.Get().ToString()},
                            {"items", {{{"productId", a.Get().ToString()}, {"quantity", 4}}}}}));
  EXPECT_EQ(Stock(a).Sold(), 4);

  EXPECT_EQ(Dispatch(Command("CommitInventory", {}, order)).type, "InventoryCommitted");
  EXPECT_EQ(Types(Outbox()), (std::vector<std::string>{"InventoryCommitted"})) << "sold once";
  EXPECT_EQ(Stock(a).Quantity(), 6);

  // Compensation after the commit: the sale comes back.
  EXPECT_EQ(Dispatch(Command("ReleaseInventory", {{"reason", "OrderCancelled"}}, order)).type,
            "InventoryReleased");
  EXPECT_EQ(Types(Outbox()), (std::vector<std::string>{"StockUpdated", "InventoryReleased"}));
  EXPECT_EQ(Stock(a).Quantity(), 10);
  EXPECT_EQ(Stock(a).Sold(), 0);
  EXPECT_EQ(repo_.GetReservations(order)[0].Status(), ReservationStatus::kReturned);

  const auto late = Dispatch(Command("CommitInventory", {}, order));
  EXPECT_EQ(late.type, "InventoryReservationFailed");
  EXPECT_EQ(late.reason, "ReservationExpired") << "nothing is held any more";
  EXPECT_EQ(Stock(a).Quantity(), 10);
}

TEST_F(InventoryCommandsTest, CommitWithNothingHeldRepliesReservationExpired) {
  const auto a = Seed(10);
  const auto expired = core::NewId<core::OrderId>();
  const auto released = core::NewId<core::OrderId>();
  ASSERT_EQ(Dispatch(Reserve(expired, {{a, 2}}, kT0 + minutes(5))).type, "InventoryReserved");
  ASSERT_EQ(Dispatch(Reserve(released, {{a, 2}}, kT0 + minutes(30))).type, "InventoryReserved");
  ASSERT_EQ(Dispatch(Command("ReleaseInventory", {{"reason", "x"}}, released)).type, "InventoryReleased");
  clock_.Advance(minutes(6));
  Outbox();

  for (const auto& order : {expired, released, core::NewId<core::OrderId>()}) {
    const auto reply = Dispatch(Command("CommitInventory", {}, order));
    EXPECT_EQ(reply.type, "InventoryReservationFailed");
    EXPECT_EQ(reply.reason, "ReservationExpired");
    const auto rows = Outbox();
    ASSERT_EQ(Types(rows), (std::vector<std::string>{"InventoryReservationFailed"}));
    EXPECT_EQ(rows[0].envelope.payload,
              nlohmann::json({{"orderId", order.Get().ToString()}, {"reason", "ReservationExpired"}}));
  }
  EXPECT_EQ(Stock(a).Sold(), 0);
}

TEST_F(InventoryCommandsTest, FallingBelowTheThresholdNotifiesOnce) {
  const auto a = Seed(12, "LOW-STOCK-1");
  ASSERT_EQ(Dispatch(Reserve(core::NewId<core::OrderId>(), {{a, 2}}, kT0 + minutes(15))).type,
            "InventoryReserved");
  EXPECT_EQ(Types(Outbox()), (std::vector<std::string>{"StockUpdated", "InventoryReserved"}))
      << "10 is not below 10";

  ASSERT_EQ(Dispatch(Reserve(core::NewId<core::OrderId>(), {{a, 1}}, kT0 + minutes(15))).type,
            "InventoryReserved");
  const auto rows = Outbox();
  ASSERT_EQ(Types(rows),
            (std::vector<std::string>{"StockUpdated", "LowStockNotification", "InventoryReserved"}));
  EXPECT_EQ(rows[1].topic, "saga.notifications");
  EXPECT_EQ(rows[1].key, a.Get().ToString()) << "keyed by the product";
  EXPECT_EQ(
      rows[1].envelope.payload,
      nlohmann::json(
          {{"productId", a.Get().ToString()}, {"sku", "LOW-STOCK-1"}, {"available", 9}, {"threshold", 10}}));

  ASSERT_EQ(Dispatch(Reserve(core::NewId<core::OrderId>(), {{a, 1}}, kT0 + minutes(15))).type,
            "InventoryReserved");
  EXPECT_EQ(Types(Outbox()), (std::vector<std::string>{"StockUpdated", "InventoryReserved"}))
      << "already below";
}

TEST_F(InventoryCommandsTest, EffectsAndRepliesShareTheConsumersTransaction) {
  const auto a = Seed(5);
  Outbox();
  {
    auto lease = db_.Pool().Acquire();
    pqxx::work tx(*lease);
    outbox::OutboxBuffer outbox;
    PgTransactionUnitOfWork unit(tx, outbox);
    EXPECT_EQ(DispatchInventoryCommand(Reserve(core::NewId<core::OrderId>(), {{a, 2}}, kT0 + minutes(15)),
                                       unit, clock_)
                  .type,
              "InventoryReserved");
    outbox.Flush(tx);
    tx.abort();  // e.g. the inbox insert failed
  }
  EXPECT_TRUE(Outbox().empty());
  EXPECT_EQ(Stock(a).Reserved(), 0);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM reservations"), 0);
}

TEST_F(InventoryCommandsTest, TheKafkaHandlerRefusesWhatIsNotItsCommand) {
  const auto order = core::NewId<core::OrderId>();
  auto lease = db_.Pool().Acquire();
  pqxx::work tx(*lease);
  const auto handler = MakeInventoryCommandHandler(clock_);
  kafka::ConsumedMessage raw;
  const auto event =
      contracts::MakeEnvelope("InventoryReleased", {{"orderId", order.Get().ToString()}, {"reason", "x"}},
                              {"c", std::nullopt, std::nullopt, order, "x", kTrace, kT0})
          .Value();
  // What the consumer gives the handler for a transaction of one message.
  std::vector<std::function<void()>> after_commit;
  std::unique_ptr<outbox::TransactionWork> work;
  const auto context = [&](const contracts::Envelope& envelope,
                           const std::vector<const contracts::Envelope*>& all) {
    return outbox::HandlerContext{tx, envelope, raw, after_commit, all, work};
  };
  const std::vector<const contracts::Envelope*> first{&event};
  auto not_a_command = context(event, first);
  EXPECT_THROW(handler(not_a_command), outbox::PermanentError);

  auto mismatch = Command("CommitInventory", {}, order);
  mismatch.payload["orderId"] = core::NewId<core::OrderId>().Get().ToString();
  const std::vector<const contracts::Envelope*> second{&mismatch};
  auto wrong_order = context(mismatch, second);
  EXPECT_THROW(handler(wrong_order), outbox::PermanentError);

  const auto commit = Command("CommitInventory", {}, order);
  const std::vector<const contracts::Envelope*> third{&commit};
  auto ok = context(commit, third);
  handler(ok);
  ASSERT_TRUE(work) << "the reply waits in the transaction's outbox";
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM outbox")[0].as<int>(), 0) << "not stored before the flush";
  work->Flush();
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM outbox")[0].as<int>(), 1);
  tx.commit();
  EXPECT_EQ(Types(Outbox()), (std::vector<std::string>{"InventoryReservationFailed"}));
}

// As the consumer runs a transaction of several commands with InventoryCommandLoad: the rows
// read with the inbox rows serve each command until the transaction writes them, after which the
// next command reads them again (a stale copy would fail its version check), so commands on
// one product and one order in one transaction add up as one by one.
TEST_F(InventoryCommandsTest, ATransactionsPreloadedRowsServeUntilItWritesThem) {
  const auto a = Seed(10);
  const auto b = Seed(10);
  const auto sold = core::NewId<core::OrderId>();
  ASSERT_EQ(Dispatch(Reserve(sold, {{a, 1}}, kT0 + minutes(15))).type, "InventoryReserved");
  Outbox();
  const auto second = core::NewId<core::OrderId>();
  const auto third = core::NewId<core::OrderId>();
  const std::vector<contracts::Envelope> commands = {
      Command("CommitInventory", {}, sold),
      Reserve(second, {{a, 2}, {b, 1}}, kT0 + minutes(15)),
      Reserve(third, {{a, 1}}, kT0 + minutes(15)),
      Command("ReleaseInventory", {{"reason", "PaymentFailed"}}, second),
      Command("CommitInventory", {}, third),
  };
  std::vector<const contracts::Envelope*> all;
  for (const auto& command : commands) all.push_back(&command);
  EXPECT_FALSE(InventoryCommandLoad({}, 1)) << "nothing to load";
  const auto load = InventoryCommandLoad(all, 1);
  ASSERT_TRUE(load);
  ASSERT_EQ(load->params.size(), 2U);
  {
    auto lease = db_.Pool().Acquire();
    pqxx::work tx(*lease);
    const auto result = tx.exec_params(load->sql, load->params[0], load->params[1]);
    const std::vector<pqxx::row> rows(result.begin(), result.end());
    ASSERT_EQ(rows.size(), 3U) << "the reservation of `sold`, the stock of a and b";
    const auto handler = MakeInventoryCommandHandler(clock_);
    kafka::ConsumedMessage raw;
    std::vector<std::function<void()>> after_commit;
    std::unique_ptr<outbox::TransactionWork> work;
    for (const auto& command : commands) {
      outbox::HandlerContext context{tx, command, raw, after_commit, all, work, &rows};
      handler(context);
    }
    work->Flush();
    tx.commit();
  }
  EXPECT_EQ(Types(Outbox()),
            (std::vector<std::string>{"StockUpdated", "InventoryCommitted", "StockUpdated", "StockUpdated",
                                      "LowStockNotification", "InventoryReserved", "StockUpdated",
                                      "InventoryReserved", "StockUpdated", "StockUpdated",
                                      "InventoryReleased", "StockUpdated", "InventoryCommitted"}));
  EXPECT_EQ(Stock(a).Quantity(), 8) << "two sold";
  EXPECT_EQ(Stock(a).Reserved(), 0);
  EXPECT_EQ(Stock(b).Quantity(), 10);
  EXPECT_EQ(Stock(b).Reserved(), 0);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM reservations WHERE status = 'Committed'"), 2);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM reservations WHERE status = 'Released'"), 2);
}

// Rows read before others changed them (as a transaction's load reads before any lock): a
// Reserve that finds no reservations there, when the same command was reserved meanwhile, is
// refused by the reservations' unique key as a ConcurrencyConflict (the consumer retries it)
// and writes nothing; a stock row changed meanwhile fails its version check the same way. The
// retry, with a fresh load, answers with the reservations made first.
TEST_F(InventoryCommandsTest, AReserveOnStaleLoadedRowsIsAConflictNotADoubleReservation) {
  const auto a = Seed(10);
  const auto order = core::NewId<core::OrderId>();
  const auto command = Reserve(order, {{a, 3}}, kT0 + minutes(15));
  const auto load_rows = [&](const std::set<std::string>& products) {
    auto lease = db_.Pool().Acquire();
    pqxx::work tx(*lease);
    const auto sql = PgInventoryRepository::PreloadQuery(1, 2);
    const auto result = tx.exec_params(sql, "{" + order.Get().ToString() + "}",
                                       pg::ArrayLiteral(products, [](const std::string& id) { return id; }));
    tx.commit();
    return std::vector<pqxx::row>(result.begin(), result.end());
  };
  const auto with_stock = load_rows({a.Get().ToString()});
  const auto without_stock = load_rows({});
  ASSERT_EQ(Dispatch(command).type, "InventoryReserved");  // the first delivery, meanwhile
  Outbox();
  const auto reserve_on = [&](const std::vector<pqxx::row>& rows, const std::set<std::string>& products) {
    auto lease = db_.Pool().Acquire();
    pqxx::work tx(*lease);
    outbox::OutboxBuffer outbox;
    PreloadedStock preloaded(rows, {order.Get().ToString()}, products);
    PgTransactionUnitOfWork unit(tx, outbox, &preloaded);
    auto reply = DispatchInventoryCommand(command, unit, clock_);
    outbox.Flush(tx);
    tx.commit();
    return reply;
  };
  EXPECT_THROW(reserve_on(without_stock, {}), core::ConcurrencyConflict) << "the unique key";
  EXPECT_THROW(reserve_on(with_stock, {a.Get().ToString()}), core::ConcurrencyConflict)
      << "the version check";
  EXPECT_EQ(Stock(a).Reserved(), 3) << "reserved once";
  EXPECT_EQ(db_.Count("SELECT count(*) FROM reservations"), 1);
  EXPECT_TRUE(Outbox().empty());
  EXPECT_EQ(reserve_on(load_rows({a.Get().ToString()}), {a.Get().ToString()}).type, "InventoryReserved")
      << "the retry, on a fresh load";
  EXPECT_EQ(Stock(a).Reserved(), 3);
  EXPECT_EQ(Types(Outbox()), (std::vector<std::string>{"InventoryReserved"}));
}

TEST_F(InventoryCommandsTest, ExpiryGivesBackDueReservationsInBatchesWithTheirStockUpdates) {
  const auto a = Seed(10);
  std::vector<core::OrderId> due;
  for (int i = 0; i < 3; ++i) {
    due.push_back(core::NewId<core::OrderId>());
    ASSERT_EQ(Dispatch(Reserve(due.back(), {{a, 1}}, kT0 + minutes(5))).type, "InventoryReserved");
  }
  const auto fresh = core::NewId<core::OrderId>();
  ASSERT_EQ(Dispatch(Reserve(fresh, {{a, 1}}, kT0 + minutes(30))).type, "InventoryReserved");
  Outbox();

  PgUnitOfWork unit(db_.Pool());
  ReservationExpiryWorker worker(unit, clock_, {std::chrono::milliseconds(10), 2});
  EXPECT_EQ(worker.SweepOnce(), 0U) << "nothing is due yet";
  clock_.Advance(minutes(6));
  EXPECT_EQ(worker.SweepOnce(), 3U) << "a full batch is followed by the next";
  EXPECT_EQ(worker.ExpiredCount(), 3U);
  EXPECT_EQ(Stock(a).Reserved(), 1);
  const auto rows = Outbox();
  ASSERT_EQ(Types(rows), (std::vector<std::string>{"StockUpdated", "StockUpdated", "StockUpdated"}));
  std::set<std::string> keys;
  for (const auto& row : rows) keys.insert(row.key);
  EXPECT_EQ(keys, (std::set<std::string>{due[0].Get().ToString(), due[1].Get().ToString(),
                                         due[2].Get().ToString()}))
      << "keyed by the order whose reservation expired";
  EXPECT_EQ(rows.back().envelope.payload["available"], 9);
  EXPECT_EQ(repo_.GetReservations(due[0])[0].Status(), ReservationStatus::kExpired);
  EXPECT_EQ(repo_.GetReservations(fresh)[0].Status(), ReservationStatus::kActive);
}

TEST_F(InventoryCommandsTest, TheExpiryWorkerRunsUntilStopped) {
  const auto a = Seed(10);
  const auto order = core::NewId<core::OrderId>();
  ASSERT_EQ(Dispatch(Reserve(order, {{a, 4}}, kT0 + minutes(5))).type, "InventoryReserved");
  clock_.Advance(minutes(6));
  PgUnitOfWork unit(db_.Pool());
  ReservationExpiryWorker worker(unit, clock_, {std::chrono::milliseconds(10), 100});
  worker.Start();
  EXPECT_TRUE(saga::testing::WaitFor([&] { return Stock(a).Reserved() == 0; }, std::chrono::seconds(10)));
  worker.Stop();
  worker.Stop();  // idempotent
  EXPECT_EQ(worker.ExpiredCount(), 1U);
  EXPECT_THROW(ReservationExpiryWorker(unit, clock_, {std::chrono::milliseconds(0), 100}), core::ConfigError);
}

// The service wakes its outbox relay with the unit of work's `published`: after a commit that
// appended messages (a REST use case's, an expiry's), not after one that appended none, nor after
// a refused change.
TEST_F(InventoryCommandsTest, TheUnitOfWorkWakesTheRelayAfterACommitThatPublished) {
  int woken = 0;
  PgUnitOfWork unit(db_.Pool(), [&] { ++woken; });
  InventoryApp app(repo_, unit, clock_);
  auto created = app.CreateProduct({"Lamp", "LAMP-9", core::Money(4500, testing::kEur), 11, ""});
  ASSERT_TRUE(created.HasValue());
  EXPECT_EQ(woken, 1);
  ASSERT_FALSE(app.CreateProduct({"Lamp", "LAMP-9", core::Money(4500, testing::kEur), 1, ""}).HasValue());
  EXPECT_EQ(woken, 1) << "a refused creation publishes nothing";

  const auto order = core::NewId<core::OrderId>();
  ASSERT_EQ(Dispatch(Reserve(order, {{created.Value().product.Id(), 2}}, kT0 + minutes(5))).type,
            "InventoryReserved");
  ReservationExpiryWorker worker(unit, clock_, {std::chrono::milliseconds(10), 10});
  EXPECT_EQ(worker.SweepOnce(), 0U);
  EXPECT_EQ(woken, 1) << "nothing due: the relay sleeps on";
  clock_.Advance(minutes(6));
  EXPECT_EQ(worker.SweepOnce(), 1U);
  EXPECT_EQ(woken, 2) << "the expiry's StockUpdated";
}

TEST_F(InventoryCommandsTest, RestUseCasesPublishTheirStockChangesInTheSameTransaction) {
  PgUnitOfWork unit(db_.Pool());
  InventoryApp app(repo_, unit, clock_);
  const std::string request_span = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto created = app.CreateProduct({"Lamp", "LAMP-1", core::Money(4500, testing::kEur), 11, request_span});
  ASSERT_TRUE(created.HasValue());
  const auto id = created.Value().product.Id();
  auto rows = Outbox();
  ASSERT_EQ(Types(rows), (std::vector<std::string>{"StockUpdated"}));
  EXPECT_EQ(rows[0].key, id.Get().ToString()) << "no order caused it: keyed by the product";
  EXPECT_FALSE(rows[0].envelope.causation_id.has_value());
  EXPECT_EQ(rows[0].envelope.payload["quantity"], 11);
  EXPECT_EQ(rows[0].envelope.traceparent, request_span) << "the request's span is the parent";

  ASSERT_FALSE(app.CreateProduct({"Lamp", "LAMP-1", core::Money(4500, testing::kEur), 1, ""}).HasValue());
  EXPECT_TRUE(Outbox().empty()) << "a refused creation publishes nothing";

  ASSERT_TRUE(app.SetStock(id, 9, std::nullopt).HasValue());
  rows = Outbox();
  EXPECT_TRUE(contracts::IsValidTraceparent(rows[0].envelope.traceparent))
      << "without a request span: a new trace";
  EXPECT_NE(rows[0].envelope.traceparent.substr(3, 32), request_span.substr(3, 32));
  ASSERT_EQ(Types(rows), (std::vector<std::string>{"StockUpdated", "LowStockNotification"}));
  EXPECT_EQ(rows[1].envelope.payload["available"], 9);
  EXPECT_EQ(Stock(id).Received(), 9);

  ASSERT_FALSE(app.SetStock(id, 5, 1).HasValue()) << "stale version";
  EXPECT_TRUE(Outbox().empty());

  const auto order = core::NewId<core::OrderId>();
  ASSERT_TRUE(app.Reserve(order, {{id, 2}}, std::chrono::seconds(60)).HasValue());
  rows = Outbox();
  ASSERT_EQ(Types(rows), (std::vector<std::string>{"StockUpdated"}));
  EXPECT_EQ(rows[0].key, order.Get().ToString());
  EXPECT_EQ(rows[0].envelope.payload["reserved"], 2);
}

}  // namespace
}  // namespace saga::inventory
