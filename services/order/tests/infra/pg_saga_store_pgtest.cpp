// PgSagaTransactions against the real PostgreSQL: what a unit of work gives AfterCommit() runs
// only once its transaction committed, and never when it rolled back; the saga's traceparent
// survives the round trip; the clean-up finds exactly the live orders that never got a saga.
#include "services/order/infra/pg_saga_store.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <pqxx/pqxx>
#include <tuple>

#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"
#include "saga/testing/manual_clock.hpp"
#include "saga/testing/migrated_database.hpp"
#include "saga/testing/process.hpp"
#include "services/order/infra/migrations.hpp"
#include "services/order/tests/builders.hpp"

namespace saga::order {
namespace {

// A message of `order` for the outbox (its content does not matter here).
contracts::Envelope Message(const core::OrderId& order, const std::string& type) {
  contracts::Envelope envelope;
  envelope.message_id = core::NewId<core::MessageId>();
  envelope.type = type;
  envelope.correlation_id = "corr";
  envelope.order_id = order;
  envelope.occurred_at = testing::kT0;
  envelope.producer = "order-service";
  return envelope;
}

class PgSagaStoreTest : public ::testing::Test {
 protected:
  saga::testing::MigratedDatabase db_{Migrations(), 4};
  PgSagaTransactions transactions_{db_.Pool()};
  PgSagaQueries queries_{db_.Pool()};
};

TEST_F(PgSagaStoreTest, AfterCommitActionsRunOnlyAfterACommit) {
  std::vector<std::string> ran;
  auto order = testing::OrderBuilder().Build();
  const std::string span = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  transactions_.Run([&](ISagaUnitOfWork& uow) {
    uow.Orders().Create(order);
    auto saga = SagaInstance::Start(core::NewId<core::SagaId>(), order.Id(), "tok_sim_approve", "corr", span,
                                    testing::kT0, SagaPolicy{});
    uow.CreateSaga(saga);
    uow.AfterCommit([&] { ran.push_back("first"); });
    uow.AfterCommit([&] { ran.push_back("second"); });
    EXPECT_TRUE(ran.empty()) << "not before the commit";
  });
  EXPECT_EQ(ran, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(queries_.GetSaga(order.Id())->Traceparent(), span);

  ran.clear();
  EXPECT_THROW(transactions_.Run([&](ISagaUnitOfWork& uow) {
    auto other = testing::OrderBuilder().Build();
    uow.Orders().Create(other);
    uow.AfterCommit([&] { ran.push_back("rolled back"); });
    throw std::runtime_error("the unit of work fails");
  }),
               std::runtime_error);
  EXPECT_TRUE(ran.empty()) << "a rolled-back unit of work reports nothing";

  // An action that throws is logged; the commit stands and the other actions still run.
  auto third = testing::OrderBuilder().Build();
  EXPECT_NO_THROW(transactions_.Run([&](ISagaUnitOfWork& uow) {
    uow.Orders().Create(third);
    uow.AfterCommit([] { throw std::runtime_error("a broken report"); });
    uow.AfterCommit([&] { ran.push_back("after the broken one"); });
  }));
  EXPECT_EQ(ran, (std::vector<std::string>{"after the broken one"}));
  EXPECT_TRUE(PgOrderRepository(db_.Pool()).Get(third.Id()).has_value());
}

// The service wakes its outbox relay with `published`: after a commit that appended messages,
// not after one that appended none, nor after a rollback.
TEST_F(PgSagaStoreTest, PublishedRunsAfterACommitThatAppendedMessages) {
  int woken = 0;
  PgSagaTransactions transactions(db_.Pool(), [&] { ++woken; });
  auto order = testing::OrderBuilder().Build();
  const auto message = [&] { return Message(order.Id(), "OrderUpdated"); };
  transactions.Run([&](ISagaUnitOfWork& uow) {
    uow.Orders().Create(order);
    uow.Publish("saga.order.events", message());
    uow.Publish("saga.notifications", message());
    EXPECT_EQ(woken, 0) << "not before the commit";
  });
  EXPECT_EQ(woken, 1) << "once per commit";

  transactions.Run([&](ISagaUnitOfWork& uow) { (void)uow.LockAbandoned(testing::kT0, 10); });
  EXPECT_EQ(woken, 1) << "nothing appended: the relay sleeps on";

  EXPECT_THROW(transactions.Run([&](ISagaUnitOfWork& uow) {
    uow.Publish("saga.order.events", message());
    throw std::runtime_error("the unit of work fails");
  }),
               std::runtime_error);
  EXPECT_EQ(woken, 1) << "rolled back: nothing to publish";
}

// LockDue: the sagas whose step deadline has passed, earliest first, at most `limit`, each locked
// with its order; one whose order someone else holds is skipped, not waited for.
TEST_F(PgSagaStoreTest, LockDueTakesThePassedDeadlinesInOrderAndSkipsWhatOthersHold) {
  std::vector<Order> orders;
  for (int i = 0; i < 4; ++i) orders.push_back(testing::OrderBuilder().Build());
  transactions_.Run([&](ISagaUnitOfWork& uow) {
    for (int i = 0; i < 4; ++i) {
      uow.Orders().Create(orders[static_cast<std::size_t>(i)]);
      SagaPolicy policy;
      policy.reserve_timeout = std::chrono::seconds(10 * (4 - i));  // deadlines kT0 + 40, 30, 20, 10 s
      auto saga = SagaInstance::Start(core::NewId<core::SagaId>(), orders[static_cast<std::size_t>(i)].Id(),
                                      "tok_sim_approve", "corr", "", testing::kT0, policy);
      uow.CreateSaga(saga);
    }
  });
  const auto due_ids = [&](core::Timestamp now, int limit) {
    std::vector<core::OrderId> ids;
    transactions_.Run([&](ISagaUnitOfWork& uow) {
      ids.clear();
      for (const auto& saga : uow.LockDue(now, limit)) ids.push_back(saga.OrderId());
    });
    return ids;
  };
  EXPECT_EQ(due_ids(testing::kT0 + std::chrono::seconds(25), 10),
            (std::vector<core::OrderId>{orders[3].Id(), orders[2].Id()}));
  EXPECT_EQ(due_ids(testing::kT0 + std::chrono::seconds(60), 3),
            (std::vector<core::OrderId>{orders[3].Id(), orders[2].Id(), orders[1].Id()}));
  auto lease = db_.Pool().Acquire();
  pqxx::work holder(*lease);
  (void)holder.exec("SELECT 1 FROM orders WHERE id = '" + orders[3].Id().Get().ToString() + "' FOR UPDATE");
  EXPECT_EQ(due_ids(testing::kT0 + std::chrono::seconds(60), 10),
            (std::vector<core::OrderId>{orders[2].Id(), orders[1].Id(), orders[0].Id()}))
      << "the saga whose order is held is skipped";
}

// A unit of work that only writes (placing an order) is ONE statement, autocommitted: no BEGIN
// or COMMIT goes to the server (the connection's protocol trace), the deferred total check still
// runs, and a failing part leaves nothing. One that reads begins a transaction at its first read.
TEST_F(PgSagaStoreTest, AUnitOfWorkThatOnlyWritesIsOneAutocommittedStatement) {
  pg::ConnectionPool pool(db_.Config(), 1, std::chrono::seconds(5));  // Run gets the traced connection
  const auto trace_path = ::testing::TempDir() + "/saga_store_trace_" + std::to_string(::getpid()) + ".log";
  std::FILE* trace = std::fopen(trace_path.c_str(), "w");
  ASSERT_NE(trace, nullptr);
  {
    auto lease = pool.Acquire();
    lease->trace(trace);
  }
  int published = 0;
  bool after_commit = false;
  PgSagaTransactions transactions(pool, [&] { ++published; });
  auto order = testing::OrderBuilder().WithItem(2, 300).Build();
  transactions.Run([&](ISagaUnitOfWork& uow) {
    uow.Orders().Create(order);
    auto saga = SagaInstance::Start(core::NewId<core::SagaId>(), order.Id(), "tok_sim_approve", "corr", "",
                                    testing::kT0, SagaPolicy{});
    uow.CreateSaga(saga);
    uow.Publish("saga.order.events", Message(order.Id(), "OrderCreated"));
    uow.AfterCommit([&] { after_commit = true; });
  });
  EXPECT_EQ(published, 1) << "the relay is woken after the autocommitted statement";
  EXPECT_TRUE(after_commit);
  std::fflush(trace);
  const auto written = saga::testing::ReadFile(trace_path);
  EXPECT_NE(written.find("INSERT INTO orders"), std::string::npos) << "the trace shows the statement";
  EXPECT_EQ(written.find("BEGIN"), std::string::npos) << written;
  EXPECT_EQ(written.find("COMMIT"), std::string::npos) << written;
  EXPECT_TRUE(queries_.GetSaga(order.Id())) << "stored";

  // A failing part (an order stored already: its primary key) leaves nothing of the statement.
  auto wrong = testing::OrderBuilder().Build();
  EXPECT_THROW(transactions.Run([&](ISagaUnitOfWork& uow) {
    uow.Orders().Create(wrong);
    uow.Orders().Create(order);  // already stored: a primary key violation in the same statement
  }),
               pg::ConstraintViolation);
  EXPECT_FALSE(PgOrderRepository(db_.Pool()).Get(wrong.Id())) << "nothing of a failed statement is kept";

  // A unit of work that reads first runs in a transaction.
  const auto second_path = trace_path + ".2";
  std::FILE* second = std::fopen(second_path.c_str(), "w");
  ASSERT_NE(second, nullptr);
  {
    auto lease = pool.Acquire();
    lease->trace(second);
  }
  transactions.Run([&](ISagaUnitOfWork& uow) {
    auto saga = uow.LockSaga(order.Id());
    ASSERT_TRUE(saga);
    uow.AppendLog(*saga, SagaLogEntry{testing::kT0, "event", "a", "b", "X", std::nullopt, ""});
  });
  std::fflush(second);
  const auto read_then_written = saga::testing::ReadFile(second_path);
  EXPECT_NE(read_then_written.find("BEGIN"), std::string::npos);
  EXPECT_NE(read_then_written.find("COMMIT"), std::string::npos);

  // An update of a row read elsewhere is version-checked after the flush's statement, so a unit
  // of work with one keeps its transaction: a stale update fails, and the order created with it
  // is not stored either.
  auto stale = queries_.GetSaga(order.Id());
  ASSERT_TRUE(stale);
  transactions.Run([&](ISagaUnitOfWork& uow) {  // the saga moves on elsewhere
    auto current = uow.LockSaga(order.Id());
    ASSERT_TRUE(current);
    (void)current->Handle(SagaInput::kInventoryReserved, "", testing::kT0, SagaPolicy{});
    uow.UpdateSaga(*current);
  });
  auto unrelated = testing::OrderBuilder().Build();
  EXPECT_THROW(transactions.Run([&](ISagaUnitOfWork& uow) {
    uow.Orders().Create(unrelated);
    (void)stale->Handle(SagaInput::kInventoryReserved, "", testing::kT0, SagaPolicy{});
    uow.UpdateSaga(*stale);
  }),
               core::ConcurrencyConflict);
  EXPECT_FALSE(PgOrderRepository(db_.Pool()).Get(unrelated.Id())) << "rolled back with the stale update";
  {
    auto lease = pool.Acquire();
    lease->trace(nullptr);
  }
  std::fclose(trace);
  std::fclose(second);
}

// Prefetch reads each order with its items and its saga in one statement and locks both rows
// (a writer elsewhere waits); an order without a saga is left to a later read. The consumer's
// load (SagaReplyLoad, run with the inbox rows, its rows given to Adopt) does the same.
TEST_F(PgSagaStoreTest, PrefetchReadsAndLocksEachOrderWithItsItemsAndSaga) {
  for (const bool through_load : {false, true}) {
    SCOPED_TRACE(through_load ? "SagaReplyLoad and Adopt" : "Prefetch");
    auto order = testing::OrderBuilder().WithItem(3, 250).WithItem(1, 999).Build();
    auto lone = testing::OrderBuilder().Build();
    transactions_.Run([&](ISagaUnitOfWork& uow) {
      uow.Orders().Create(order);
      uow.Orders().Create(lone);
      auto saga = SagaInstance::Start(core::NewId<core::SagaId>(), order.Id(), "tok_sim_approve", "corr", "",
                                      testing::kT0, SagaPolicy{});
      uow.CreateSaga(saga);
    });
    auto lease = db_.Pool().Acquire();
    pqxx::work tx(*lease);
    std::vector<std::function<void()>> after_commit;
    PgSagaUnitOfWork uow(tx, after_commit);
    if (through_load) {
      const auto reserved = Message(order.Id(), "InventoryReserved");
      const auto also = Message(lone.Id(), "PaymentCompleted");
      const auto stock = Message(core::NewId<core::OrderId>(), "StockUpdated");  // not a reply the saga takes
      EXPECT_FALSE(SagaReplyLoad({&stock}, 1)) << "nothing to load";
      const auto load = SagaReplyLoad({&also, &stock, &reserved, &reserved}, 3);
      ASSERT_TRUE(load);
      EXPECT_EQ(load->params, (std::vector<std::string>{"{" + lone.Id().Get().ToString() + "," +
                                                        order.Id().Get().ToString() + "}"}));
      EXPECT_NE(load->sql.find("$3::uuid[]"), std::string::npos) << load->sql;
      // As the consumer runs it: after two parameters of its own.
      const auto rows =
          tx.exec_params("SELECT l.* FROM (" + load->sql + ") l WHERE $1::int = 1 AND $2::text = ''", 1, "",
                         load->params[0]);
      uow.Adopt(std::vector<pqxx::row>(rows.begin(), rows.end()));
    } else {
      uow.Prefetch({lone.Id(), order.Id()});
    }
    const std::string id = order.Id().Get().ToString();
    const auto locked = [&](const std::string& select) {  // a writer elsewhere would wait
      auto other = db_.Pool().Acquire();
      pqxx::work probe(*other);
      try {
        probe.exec(select + " FOR UPDATE NOWAIT");
      } catch (const pqxx::sql_error&) {
        return true;
      }
      return false;
    };
    EXPECT_TRUE(locked("SELECT 1 FROM orders WHERE id = '" + id + "'"));
    EXPECT_TRUE(locked("SELECT 1 FROM sagas WHERE order_id = '" + id + "'"));
    EXPECT_FALSE(locked("SELECT 1 FROM orders WHERE id = '" + lone.Id().Get().ToString() + "'"))
        << "an order without a saga is not prefetched";
    const auto read = uow.Orders().Get(order.Id());
    ASSERT_TRUE(read);
    EXPECT_EQ(read->Items(), order.Items());
    EXPECT_EQ(read->TotalAmount(), order.TotalAmount());
    EXPECT_EQ(uow.LockSaga(order.Id())->OrderId(), order.Id());
    EXPECT_EQ(uow.Orders().Get(lone.Id())->Items(), lone.Items()) << "read alone when asked for";
  }
}

// What a consumer batch does through one unit of work: the replies of one order read it once
// (Prefetch), each sees the previous one's changes, and everything they wrote goes to the
// database in ONE statement at the flush (one command id among the rows it wrote), with the
// versions advanced once per update. A stale update is refused at once; a row changed behind the
// unit of work's back is a conflict at the flush.
TEST_F(PgSagaStoreTest, AUnitOfWorkKeepsWhatItReadAndWritesItAllAtTheFlushInOneStatement) {
  auto order = testing::OrderBuilder().Build();
  const auto message = [&](const std::string& type) { return Message(order.Id(), type); };
  transactions_.Run([&](ISagaUnitOfWork& uow) {
    uow.Orders().Create(order);
    auto saga = SagaInstance::Start(core::NewId<core::SagaId>(), order.Id(), "tok_sim_approve", "corr", "",
                                    testing::kT0, SagaPolicy{});
    uow.CreateSaga(saga);
    uow.AppendLog(saga,
                  SagaLogEntry{testing::kT0, "started", "", "ReservingInventory", "", std::nullopt, ""});
    EXPECT_THROW(uow.Orders().Create(order), pg::ConstraintViolation) << "the same order twice";
  });
  {
    // A new order, its items, its saga and its first log line went in with one statement.
    auto lease = db_.Pool().Acquire();
    pqxx::read_transaction tx(*lease);
    const std::string id = order.Id().Get().ToString();
    EXPECT_EQ(
        tx.exec1("SELECT count(DISTINCT (xmin::text, cmin::text)) FROM (SELECT xmin, cmin FROM orders WHERE "
                 "id = '" +
                 id + "' UNION ALL SELECT xmin, cmin FROM order_items WHERE order_id = '" + id +
                 "' UNION ALL SELECT xmin, cmin FROM sagas WHERE order_id = '" + id +
                 "' UNION ALL SELECT xmin, cmin FROM saga_log) t")[0]
            .as<int>(),
        1);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM order_items WHERE order_id = '" + id + "'")[0].as<int>(), 2);
  }
  auto lease = db_.Pool().Acquire();
  pqxx::work tx(*lease);
  const auto count = [&](const std::string& sql) { return tx.exec1(sql)[0].as<std::int64_t>(); };
  std::vector<std::function<void()>> after_commit;
  PgSagaUnitOfWork uow(tx, after_commit);
  uow.Prefetch({order.Id(), order.Id()});
  for (const auto& [status, input, type] :
       {std::tuple{OrderStatus::kInventoryReserved, SagaInput::kInventoryReserved, "InventoryReserved"},
        std::tuple{OrderStatus::kPaymentProcessing, SagaInput::kPaymentCompleted, "PaymentCompleted"}}) {
    auto current = uow.Orders().Get(order.Id());
    auto saga = uow.LockSaga(order.Id());
    ASSERT_TRUE(current && saga);
    ASSERT_TRUE(current->UpdateStatus(status, testing::kT0 + std::chrono::seconds(1)));
    uow.Orders().Update(*current);
    (void)saga->Handle(input, "", testing::kT0 + std::chrono::seconds(1), SagaPolicy{});
    uow.UpdateSaga(*saga);
    uow.AppendLog(*saga, SagaLogEntry{testing::kT0, "event", "a", "b", type, std::nullopt, "detail"});
    uow.Publish("saga.order.events", message("OrderUpdated"));
  }
  EXPECT_EQ(uow.Orders().Get(order.Id())->Version(), 3) << "the second reply saw the first one's change";
  EXPECT_EQ(uow.LockSaga(order.Id())->Version(), 3);
  EXPECT_EQ(count("SELECT version FROM orders WHERE id = '" + order.Id().Get().ToString() + "'"), 1)
      << "nothing written before the flush";
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 0);
  auto stale = order;  // version 1
  EXPECT_THROW(uow.Orders().Update(stale), core::ConcurrencyConflict);

  uow.Flush();
  const std::string id = order.Id().Get().ToString();
  EXPECT_EQ(count("SELECT version FROM orders WHERE id = '" + id + "' AND status = 'PaymentProcessing'"), 3);
  EXPECT_EQ(count("SELECT version FROM sagas WHERE order_id = '" + id + "'"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM saga_log"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM outbox"), 2);
  EXPECT_EQ(
      count("SELECT count(DISTINCT c) FROM (SELECT cmin::text AS c FROM outbox UNION ALL SELECT cmin::text "
            "FROM saga_log WHERE kind = 'event' UNION ALL SELECT cmin::text FROM sagas WHERE order_id = '" +
            id + "' UNION ALL SELECT cmin::text FROM orders WHERE id = '" + id + "') t"),
      1)
      << "one statement wrote all of it";
  EXPECT_EQ(uow.Published(), 2);

  // A row changed behind the unit of work's back: a conflict at the flush.
  auto current = uow.Orders().Get(order.Id());
  ASSERT_TRUE(current->UpdateStatus(OrderStatus::kCompleted, testing::kT0 + std::chrono::seconds(2)));
  uow.Orders().Update(*current);
  tx.exec0("UPDATE orders SET version = version + 10 WHERE id = '" + id + "'");
  EXPECT_THROW(uow.Flush(), core::ConcurrencyConflict);
}

// A saga read outside the unit of work (an earlier transaction) is kept at the version it was
// read at: stored at the flush when the row is still there, a conflict at the flush when not.
TEST_F(PgSagaStoreTest, ASagaReadElsewhereIsCheckedAgainstItsRowAtTheFlush) {
  auto order = testing::OrderBuilder().Build();
  transactions_.Run([&](ISagaUnitOfWork& uow) {
    uow.Orders().Create(order);
    auto saga = SagaInstance::Start(core::NewId<core::SagaId>(), order.Id(), "tok_sim_approve", "corr", "",
                                    testing::kT0, SagaPolicy{});
    uow.CreateSaga(saga);
  });
  auto read = *queries_.GetSaga(order.Id());  // version 1
  auto stale = read;
  (void)read.Handle(SagaInput::kInventoryReserved, "", testing::kT0, SagaPolicy{});
  transactions_.Run([&](ISagaUnitOfWork& uow) { uow.UpdateSaga(read); });
  EXPECT_EQ(queries_.GetSaga(order.Id())->Version(), 2);
  EXPECT_EQ(queries_.GetSaga(order.Id())->State(), SagaState::kProcessingPayment);
  (void)stale.Handle(SagaInput::kInventoryReservationFailed, "InsufficientStock", testing::kT0, SagaPolicy{});
  EXPECT_THROW(transactions_.Run([&](ISagaUnitOfWork& uow) { uow.UpdateSaga(stale); }),
               core::ConcurrencyConflict);
  EXPECT_EQ(queries_.GetSaga(order.Id())->State(), SagaState::kProcessingPayment)
      << "the stale update wrote nothing";
}

// The clean-up's query lists the live statuses (so that an index reads only live orders): every
// status that is not terminal is found, no terminal one, none with a saga, none too young; oldest
// first, at most `limit`.
TEST_F(PgSagaStoreTest, LockAbandonedFindsTheLiveOrdersWithoutASagaOldestFirst) {
  using std::chrono::seconds;
  const auto walk = [](Order& order, std::initializer_list<OrderStatus> statuses) {
    for (const auto status : statuses) ASSERT_TRUE(order.UpdateStatus(status, testing::kT0 + seconds(50)));
  };
  std::vector<core::OrderId> live;
  transactions_.Run([&](ISagaUnitOfWork& uow) {
    int second = 0;
    const auto make = [&](std::initializer_list<OrderStatus> statuses) {
      auto order = testing::OrderBuilder().At(testing::kT0 + seconds(second++)).Build();
      uow.Orders().Create(order);
      walk(order, statuses);
      if (statuses.size() > 0) uow.Orders().Update(order);
      return order;
    };
    live.push_back(make({}).Id());
    (void)make({OrderStatus::kFailed});
    live.push_back(make({OrderStatus::kInventoryReserved}).Id());
    (void)make({OrderStatus::kCancelled});
    live.push_back(make({OrderStatus::kInventoryReserved, OrderStatus::kPaymentProcessing}).Id());
    (void)make({OrderStatus::kInventoryReserved, OrderStatus::kPaymentProcessing, OrderStatus::kCompleted});
    auto with_saga = make({});
    auto saga = SagaInstance::Start(core::NewId<core::SagaId>(), with_saga.Id(), "tok_sim_approve", "corr",
                                    "", testing::kT0, SagaPolicy{});
    uow.CreateSaga(saga);
    second = 100;
    (void)make({});  // created at the threshold: not abandoned yet
  });
  static_assert(kAllOrderStatuses.size() == 6, "the orders made above cover every status once");

  std::vector<core::OrderId> found;
  transactions_.Run(
      [&](ISagaUnitOfWork& uow) { found = uow.LockAbandoned(testing::kT0 + seconds(100), 10); });
  EXPECT_EQ(found, live);
  transactions_.Run([&](ISagaUnitOfWork& uow) { found = uow.LockAbandoned(testing::kT0 + seconds(100), 2); });
  EXPECT_EQ(found, (std::vector<core::OrderId>{live[0], live[1]}));
}

}  // namespace
}  // namespace saga::order
