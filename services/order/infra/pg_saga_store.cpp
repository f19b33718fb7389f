#include "services/order/infra/pg_saga_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <map>
#include <optional>

#include <pqxx/pqxx>

#include "saga/core/errors.hpp"
#include "saga/outbox/outbox.hpp"
#include "saga/pg/bulk.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/prepared.hpp"
#include "saga/pg/sql.hpp"
#include "saga/pg/transaction_scope.hpp"
#include "services/order/domain/order_status.hpp"

namespace saga::order {
namespace {

// The columns of a saga (the sagas table aliased `s`).
const std::string kSagaColumns =
    "s.id::text, s.order_id::text, s.state, s.target, s.outcome, s.payment_token, s.correlation_id, " +
    pg::MicrosOf("s.deadline") + ", s.step_attempts, s.compensation_attempts, s.definition_version, " +
    pg::MicrosOf("s.created_at") + ", " + pg::MicrosOf("s.updated_at") + ", s.version, s.traceparent";
constexpr pqxx::row::size_type kSagaColumnCount = 15;

SagaInstance SagaOf(const pqxx::row& row) {
  const auto state = ParseSagaState(row[2].c_str());
  if (!state) throw pg::QueryError("stored saga has an unknown state", "");
  std::optional<SagaState> target;
  if (!row[3].is_null()) target = ParseSagaState(row[3].c_str());
  std::optional<core::Timestamp> deadline;
  if (!row[7].is_null()) deadline = pg::TimestampOf(row[7]);
  return SagaInstance::Restore(
      core::SagaId(pg::UuidOf(row[0])), core::OrderId(pg::UuidOf(row[1])), *state, target, row[4].c_str(),
      row[5].c_str(), row[6].c_str(), row[14].c_str(), deadline, row[8].as<int>(), row[9].as<int>(),
      row[10].as<int>(), pg::TimestampOf(row[11]), pg::TimestampOf(row[12]), row[13].as<std::int64_t>());
}

std::optional<std::string> TargetOf(const SagaInstance& saga) {
  if (!saga.Target()) return std::nullopt;
  return std::string(ToString(*saga.Target()));
}

std::optional<std::int64_t> DeadlineOf(const SagaInstance& saga) {
  if (!saga.Deadline()) return std::nullopt;
  return core::ToUnixMicros(*saga.Deadline());
}

// The saga log line shape (one statement for all the lines of a transaction).
pg::BulkRows LogRows() {
  return pg::BulkRows({{"saga_id", "uuid"},
                       {"at", "bigint"},
                       {"kind", "text"},
                       {"from_state", "text"},
                       {"to_state", "text"},
                       {"message_type", "text"},
                       {"message_id", "uuid"},
                       {"detail", "text"}});
}

}  // namespace

struct PgSagaUnitOfWork::Kept {
  // stored_version: what the row holds; 0 for a row created here and not stored yet.
  struct KeptOrder {
    Order order;  // as it is now in this transaction
    std::int64_t stored_version;
  };
  struct KeptSaga {
    SagaInstance saga;
    std::int64_t stored_version;
  };
  std::map<core::OrderId, KeptOrder> orders;
  std::map<core::OrderId, KeptSaga> sagas;  // by order id
  pg::BulkRows log = LogRows();
  outbox::OutboxBuffer outbox;

  [[nodiscard]] bool Unflushed() const {
    const auto dirty = [](const auto& kept) { return kept.second.stored_version != Version(kept.second); };
    return !log.Empty() || outbox.Pending() || std::any_of(orders.begin(), orders.end(), dirty) ||
           std::any_of(sagas.begin(), sagas.end(), dirty);
  }
  // Updates of stored rows put off: version-checked when the flush's statement has returned.
  [[nodiscard]] bool UpdatesPending() const {
    const auto updated = [](const auto& kept) {
      return kept.second.stored_version != 0 && kept.second.stored_version != Version(kept.second);
    };
    return std::any_of(orders.begin(), orders.end(), updated) ||
           std::any_of(sagas.begin(), sagas.end(), updated);
  }
  static std::int64_t Version(const KeptOrder& kept) { return kept.order.Version(); }
  static std::int64_t Version(const KeptSaga& kept) { return kept.saga.Version(); }
};

// IOrderRepository inside the unit of work: reads go through the kept rows, new orders and
// updates of kept rows are put off until Flush (see the class comment); what must run now
// (GetAll, Delete, an update of items) flushes first (`flush`, the unit of work's Flush).
class PgSagaUnitOfWork::TxOrders final : public IOrderRepository {
 public:
  TxOrders(std::function<pqxx::transaction_base&()> tx, Kept& kept, std::function<void()> flush)
      : tx_(std::move(tx)), kept_(kept), flush_(std::move(flush)) {}

  void Create(Order& order) override {
    if (kept_.orders.count(order.Id()) != 0) {
      throw pg::ConstraintViolation("order " + order.Id().Get().ToString() + " exists", "23505",
                                    "orders_pkey");
    }
    order.MarkPersisted(1);
    kept_.orders.insert_or_assign(order.Id(), Kept::KeptOrder{order, 0});
  }

  void Update(Order& order) override {
    if (order.ItemsChanged()) {  // items to rewrite: stored now, checked against the row itself
      flush_();
      PgOrderRepository(tx_()).Update(order);
      kept_.orders.insert_or_assign(order.Id(), Kept::KeptOrder{order, order.Version()});
      return;
    }
    // An order not read here is kept at the version its caller read; the flush checks the row.
    const auto [it, inserted] = kept_.orders.try_emplace(order.Id(), Kept::KeptOrder{order, order.Version()});
    if (it->second.order.Version() != order.Version()) {
      throw core::ConcurrencyConflict("order " + order.Id().Get().ToString() + " changed since version " +
                                      std::to_string(order.Version()) + " was read");
    }
    order.MarkPersisted(order.Version() + 1);
    it->second.order = order;
  }

  [[nodiscard]] std::optional<Order> Get(const core::OrderId& id) override {
    if (const auto it = kept_.orders.find(id); it != kept_.orders.end()) return it->second.order;
    auto order = PgOrderRepository(tx_()).Get(id);  // locks the row
    if (order) kept_.orders.insert_or_assign(id, Kept::KeptOrder{*order, order->Version()});
    return order;
  }

  [[nodiscard]] core::Page<Order> GetAll(const OrderFilter& filter, const core::PageRequest& page) override {
    flush_();
    return PgOrderRepository(tx_()).GetAll(filter, page);
  }

  bool Delete(const core::OrderId& id, std::int64_t expected_version) override {
    flush_();
    kept_.orders.erase(id);
    return PgOrderRepository(tx_()).Delete(id, expected_version);
  }

 private:
  std::function<pqxx::transaction_base&()> tx_;
  Kept& kept_;
  std::function<void()> flush_;
};

PgSagaUnitOfWork::PgSagaUnitOfWork(pqxx::transaction_base& tx,
                                   std::vector<std::function<void()>>& after_commit)
    : PgSagaUnitOfWork([&tx]() -> pqxx::transaction_base& { return tx; }, after_commit) {}

PgSagaUnitOfWork::PgSagaUnitOfWork(std::function<pqxx::transaction_base&()> tx,
                                   std::vector<std::function<void()>>& after_commit)
    : tx_(std::move(tx)),
      kept_(std::make_unique<Kept>()),
      orders_(std::make_unique<TxOrders>([this]() -> pqxx::transaction_base& { return tx_(); }, *kept_,
                                         [this] { Flush(); })),
      after_commit_(after_commit) {}

PgSagaUnitOfWork::~PgSagaUnitOfWork() {
  if (Unflushed() && std::uncaught_exceptions() == 0) {
    spdlog::error("saga unit of work dropped with writes never flushed (not stored)");
  }
}

IOrderRepository& PgSagaUnitOfWork::Orders() {
  return *orders_;
}

int PgSagaUnitOfWork::Published() const noexcept {
  return kept_->outbox.Appended();
}

std::string PgSagaUnitOfWork::PrefetchQuery(int parameter) {
  // Each order with its items and its saga, in one statement; the rows are locked in order id
  // order, an order before its saga (as a consumer that reads them one by one does). An order
  // without a saga is not read: a later read loads it alone.
  return "SELECT " + kSagaColumns + ", " + PgOrderRepository::SelectList() +
         " FROM orders o JOIN sagas s ON s.order_id = o.id WHERE o.id = ANY($" + std::to_string(parameter) +
         "::uuid[]) ORDER BY o.id FOR UPDATE OF o, s";
}

void PgSagaUnitOfWork::Prefetch(const std::vector<core::OrderId>& order_ids) {
  std::vector<core::OrderId> ids;
  for (const auto& id : order_ids) {
    if (kept_->orders.count(id) == 0 && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  if (ids.empty()) return;
  const auto list = pg::ArrayLiteral(ids, [](const core::OrderId& id) { return id.Get().ToString(); });
  static const std::string kQuery = PrefetchQuery(1);
  const auto rows = pg::Translated([&] { return pg::Exec(tx_(), kQuery, list); });
  Adopt(std::vector<pqxx::row>(rows.begin(), rows.end()));
}

void PgSagaUnitOfWork::Adopt(const std::vector<pqxx::row>& rows) {
  pg::Translated([&] {
    for (const auto& row : rows) {
      auto order = PgOrderRepository::FromRow(row, kSagaColumnCount);
      auto saga = SagaOf(row);
      const auto order_id = saga.OrderId();
      const auto order_version = order.Version();
      const auto saga_version = saga.Version();
      kept_->orders.try_emplace(order_id, Kept::KeptOrder{std::move(order), order_version});
      kept_->sagas.try_emplace(order_id,
                               Kept::KeptSaga{std::move(saga), saga_version});  // a held one is newer
    }
  });
}

std::optional<SagaInstance> PgSagaUnitOfWork::LockSaga(const core::OrderId& order_id) {
  if (const auto it = kept_->sagas.find(order_id); it != kept_->sagas.end()) return it->second.saga;
  auto saga = pg::Translated([&]() -> std::optional<SagaInstance> {
    auto rows = pg::Exec(tx_(), "SELECT " + kSagaColumns + " FROM sagas s WHERE s.order_id = $1 FOR UPDATE",
                         order_id.Get().ToString());
    if (rows.empty()) return std::nullopt;
    return SagaOf(rows[0]);
  });
  if (saga) kept_->sagas.insert_or_assign(order_id, Kept::KeptSaga{*saga, saga->Version()});
  return saga;
}

void PgSagaUnitOfWork::CreateSaga(SagaInstance& saga) {
  if (kept_->sagas.count(saga.OrderId()) != 0) {
    throw pg::ConstraintViolation("order " + saga.OrderId().Get().ToString() + " has a saga", "23505",
                                  "sagas_order_key");
  }
  saga.MarkPersisted(1);
  kept_->sagas.insert_or_assign(saga.OrderId(), Kept::KeptSaga{saga, 0});
}

void PgSagaUnitOfWork::UpdateSaga(SagaInstance& saga) {
  // A saga not read here is kept at the version its caller read; the flush checks the row.
  const auto [it, inserted] = kept_->sagas.try_emplace(saga.OrderId(), Kept::KeptSaga{saga, saga.Version()});
  if (it->second.saga.Id() != saga.Id() || it->second.saga.Version() != saga.Version()) {
    throw core::ConcurrencyConflict("saga " + saga.Id().Get().ToString() + " changed since version " +
                                    std::to_string(saga.Version()));
  }
  saga.MarkPersisted(saga.Version() + 1);
  it->second.saga = saga;
}

void PgSagaUnitOfWork::AppendLog(const SagaInstance& saga, const SagaLogEntry& entry) {
  kept_->log.Add(
      saga.Id().Get().ToString(), core::ToUnixMicros(entry.at), entry.kind, entry.from_state, entry.to_state,
      entry.message_type,
      entry.message_id ? std::optional<std::string>(entry.message_id->Get().ToString()) : std::nullopt,
      entry.detail);
}

void PgSagaUnitOfWork::Publish(const std::string& topic, const contracts::Envelope& envelope) {
  kept_->outbox.Publish(topic, envelope);
}

bool PgSagaUnitOfWork::Unflushed() const {
  return kept_->Unflushed();
}

bool PgSagaUnitOfWork::OnlyNewRows() const {
  return !kept_->UpdatesPending();
}

void PgSagaUnitOfWork::Flush() {
  if (Unflushed()) Flush(tx_());
}

void PgSagaUnitOfWork::Flush(pqxx::transaction_base& tx) {
  // Everything put off goes in ONE statement (pg::BulkStatement). Its parts are independent
  // writes: rows an update touches were stored before (created ones are inserted as they are
  // now), and the foreign keys of new items, sagas and log lines are checked at the end of the
  // statement, when every part has run.
  auto created = PgOrderRepository::MakeNewRows();
  std::vector<PgOrderRepository::StatusChange> changes;
  for (const auto& [id, kept] : kept_->orders) {
    if (kept.stored_version == 0) {
      PgOrderRepository::AddNew(created, kept.order, kept.order.Version());
    } else if (kept.order.Version() != kept.stored_version) {
      changes.push_back({&kept.order, kept.stored_version});
    }
  }
  const auto orders = PgOrderRepository::ChangeRows(changes);
  pg::BulkRows new_sagas({{"id", "uuid"},
                          {"order_id", "uuid"},
                          {"definition_version", "integer"},
                          {"state", "text"},
                          {"target", "text"},
                          {"outcome", "text"},
                          {"payment_token", "text"},
                          {"correlation_id", "text"},
                          {"deadline", "bigint"},
                          {"step_attempts", "integer"},
                          {"compensation_attempts", "integer"},
                          {"created_at", "bigint"},
                          {"updated_at", "bigint"},
                          {"version", "bigint"},
                          {"traceparent", "text"}});
  pg::BulkRows sagas({{"id", "uuid"},
                      {"stored_version", "bigint"},
                      {"version", "bigint"},
                      {"state", "text"},
                      {"target", "text"},
                      {"outcome", "text"},
                      {"deadline", "bigint"},
                      {"step_attempts", "integer"},
                      {"compensation_attempts", "integer"},
                      {"updated_at", "bigint"}});
  for (const auto& [order_id, kept] : kept_->sagas) {
    const auto& saga = kept.saga;
    if (kept.stored_version == 0) {
      new_sagas.Add(saga.Id().Get().ToString(), saga.OrderId().Get().ToString(), saga.DefinitionVersion(),
                    std::string(ToString(saga.State())), TargetOf(saga), saga.Outcome(), saga.PaymentToken(),
                    saga.CorrelationId(), DeadlineOf(saga), saga.StepAttempts(), saga.CompensationAttempts(),
                    core::ToUnixMicros(saga.CreatedAt()), core::ToUnixMicros(saga.UpdatedAt()),
                    saga.Version(), saga.Traceparent());
    } else if (saga.Version() != kept.stored_version) {
      sagas.Add(saga.Id().Get().ToString(), kept.stored_version, saga.Version(),
                std::string(ToString(saga.State())), TargetOf(saga), saga.Outcome(), DeadlineOf(saga),
                saga.StepAttempts(), saga.CompensationAttempts(), core::ToUnixMicros(saga.UpdatedAt()));
    }
  }
  pg::BulkStatement statement;
  statement.Add(created.orders, PgOrderRepository::NewOrdersStatement());
  statement.Add(created.items, PgOrderRepository::NewItemsStatement());
  statement.Add(
      new_sagas,
      "INSERT INTO sagas (id, order_id, definition_version, state, target, outcome, payment_token, "
      "correlation_id, deadline, step_attempts, compensation_attempts, created_at, updated_at, version, "
      "traceparent) SELECT v.id, v.order_id, v.definition_version, v.state, v.target, v.outcome, "
      "v.payment_token, v.correlation_id, timestamptz 'epoch' + v.deadline * interval '1 microsecond', "
      "v.step_attempts, v.compensation_attempts, timestamptz 'epoch' + v.created_at * interval '1 "
      "microsecond', timestamptz 'epoch' + v.updated_at * interval '1 microsecond', v.version, "
      "v.traceparent FROM {rows} RETURNING 1");
  const auto orders_part = statement.Add(orders, PgOrderRepository::ChangeStatement());
  const auto sagas_part = statement.Add(
      sagas,
      "UPDATE sagas s SET state = v.state, target = v.target, outcome = v.outcome, deadline = timestamptz "
      "'epoch' + "
      "v.deadline * interval '1 microsecond', step_attempts = v.step_attempts, compensation_attempts = "
      "v.compensation_attempts, updated_at = timestamptz 'epoch' + v.updated_at * interval '1 microsecond', "
      "version = v.version FROM {rows} WHERE s.id = v.id AND s.version = v.stored_version RETURNING s.id");
  statement.Add(
      kept_->log,
      "INSERT INTO saga_log (saga_id, at, kind, from_state, to_state, message_type, message_id, detail) "
      "SELECT v.saga_id, timestamptz 'epoch' + v.at * interval '1 microsecond', v.kind, v.from_state, "
      "v.to_state, v.message_type, v.message_id, v.detail FROM {rows} ORDER BY v.ord RETURNING 1");
  kept_->outbox.AddTo(statement);
  const auto stored = pg::Translated([&] { return statement.Exec(tx); });
  if (stored[orders_part] != orders.Size() || stored[sagas_part] != sagas.Size()) {
    throw core::ConcurrencyConflict(std::to_string(orders.Size() - stored[orders_part]) + " orders and " +
                                    std::to_string(sagas.Size() - stored[sagas_part]) +
                                    " sagas changed since they were read");
  }
  for (auto& [id, kept] : kept_->orders) kept.stored_version = kept.order.Version();
  for (auto& [order_id, kept] : kept_->sagas) kept.stored_version = kept.saga.Version();
  kept_->log.Clear();
  kept_->outbox.Clear();
}

std::vector<SagaInstance> PgSagaUnitOfWork::LockDue(core::Timestamp now, int limit) {
  Flush();  // the kept sagas are what the rows hold again
  auto due = pg::Translated([&] {
    std::vector<SagaInstance> found;
    // The saga and its order are locked together, the order first as a consumer does, skipping
    // both when someone holds either (nothing waits here, so nothing can deadlock). One level,
    // walking the deadline index: its generic plan (pg::Connect forces generic plans) must not
    // scan every saga, as a join back to sagas by id did.
    for (const auto& row :
         pg::Exec(tx_(),
                  "SELECT " + kSagaColumns +
                      " FROM orders o JOIN sagas s ON s.order_id = o.id WHERE s.deadline <= " +
                      pg::TimestampParam(1) + " ORDER BY s.deadline LIMIT $2 FOR UPDATE OF o, s SKIP LOCKED",
                  core::ToUnixMicros(now), limit)) {
      found.push_back(SagaOf(row));
    }
    return found;
  });
  for (const auto& saga : due)
    kept_->sagas.insert_or_assign(saga.OrderId(), Kept::KeptSaga{saga, saga.Version()});
  return due;
}

std::vector<core::OrderId> PgSagaUnitOfWork::LockAbandoned(core::Timestamp created_before, int limit) {
  // The statuses are listed (not "NOT IN the settled ones") so that the (status, created_at)
  // index reads only the live orders: the settled ones grow without bound, and a sweep every
  // half second that read them all took 27 ms at 90k orders, and longer with every order
  // (docs/performance.md).
  static const std::string live_statuses = [] {
    std::string list;
    for (const auto status : kAllOrderStatuses) {
      if (IsSettled(status)) continue;
      list += (list.empty() ? "'" : ", '") + std::string(ToString(status)) + "'";
    }
    return list;
  }();
  Flush();  // sagas created here count
  return pg::Translated([&] {
    std::vector<core::OrderId> ids;
    for (const auto& row :
         pg::Exec(tx_(),
                  "SELECT o.id::text FROM orders o WHERE o.status IN (" + live_statuses +
                      ") AND o.created_at < " + pg::TimestampParam(1) +
                      " AND NOT EXISTS (SELECT 1 FROM sagas s WHERE s.order_id = o.id) ORDER BY o.created_at "
                      "LIMIT $2 "
                      "FOR UPDATE SKIP LOCKED",
                  core::ToUnixMicros(created_before), limit)) {
      ids.emplace_back(pg::UuidOf(row[0]));
    }
    return ids;
  });
}

void PgSagaTransactions::Run(const std::function<void(ISagaUnitOfWork&)>& work) {
  std::vector<std::function<void()>> committed;
  int published = 0;
  auto conn = pool_.Acquire();
  pg::Translated([&] {
    // BEGIN waits for the unit of work's first read. One that only inserts (placing an order)
    // sends its one statement autocommitted: atomic as one statement, its deferred checks run
    // at its end, and no BEGIN and COMMIT round trips. Updates are version-checked once the
    // statement has returned, so a unit of work with updates keeps its transaction.
    std::optional<pqxx::work> tx;
    PgSagaUnitOfWork uow(
        [&]() -> pqxx::transaction_base& {
          if (!tx) tx.emplace(*conn);
          return *tx;
        },
        committed);
    work(uow);
    if (!tx && uow.Unflushed() && !uow.OnlyNewRows()) tx.emplace(*conn);
    if (tx) {
      uow.Flush();
      published = uow.Published();
      tx->commit();
    } else if (uow.Unflushed()) {
      pqxx::nontransaction single(*conn);
      uow.Flush(single);
      published = uow.Published();
    }
  });
  if (published > 0 && published_) published_();
  for (auto& action : committed) {
    try {
      action();
    } catch (const std::exception& e) {  // committed: only a report went missing
      spdlog::error("after a committed saga transaction: {}", e.what());
    }
  }
}

outbox::MessageHandler MakeSagaReplyHandler(const SagaOrchestrator& orchestrator) {
  return [&orchestrator](outbox::HandlerContext& context) {
    if (!context.work) {
      auto uow = std::make_unique<PgSagaUnitOfWork>(context.tx, context.after_commit);
      if (context.loaded != nullptr) {
        uow->Adopt(*context.loaded);  // read with the inbox rows (SagaReplyLoad)
      } else {
        std::vector<core::OrderId> order_ids;
        for (const auto* reply : context.applying) {
          if (SagaOrchestrator::TakesReply(reply->type)) order_ids.push_back(reply->order_id);
        }
        uow->Prefetch(order_ids);
      }
      context.work = std::move(uow);
    }
    orchestrator.OnReply(dynamic_cast<PgSagaUnitOfWork&>(*context.work), context.envelope);
  };
}

std::optional<outbox::BatchLoad> SagaReplyLoad(const std::vector<const contracts::Envelope*>& taken,
                                               int first_parameter) {
  std::vector<core::OrderId> ids;
  for (const auto* reply : taken) {
    if (SagaOrchestrator::TakesReply(reply->type) &&
        std::find(ids.begin(), ids.end(), reply->order_id) == ids.end()) {
      ids.push_back(reply->order_id);
    }
  }
  if (ids.empty()) return std::nullopt;
  return outbox::BatchLoad{
      PgSagaUnitOfWork::PrefetchQuery(first_parameter),
      {pg::ArrayLiteral(ids, [](const core::OrderId& id) { return id.Get().ToString(); })}};
}

std::optional<SagaInstance> PgSagaQueries::GetSaga(const core::OrderId& order_id) {
  return pg::TransactionScope(pool_).Run([&](pqxx::transaction_base& tx) -> std::optional<SagaInstance> {
    auto rows = pg::Exec(tx, "SELECT " + kSagaColumns + " FROM sagas s WHERE s.order_id = $1",
                         order_id.Get().ToString());
    if (rows.empty()) return std::nullopt;
    return SagaOf(rows[0]);
  });
}

std::vector<SagaLogEntry> PgSagaQueries::GetLog(const core::SagaId& saga_id) {
  return pg::TransactionScope(pool_).Run([&](pqxx::transaction_base& tx) {
    std::vector<SagaLogEntry> log;
    for (const auto& row :
         pg::Exec(tx,
                  "SELECT " + pg::MicrosOf("at") +
                      ", kind, from_state, to_state, message_type, message_id::text, detail FROM saga_log "
                      "WHERE saga_id = $1 ORDER BY id",
                  saga_id.Get().ToString())) {
      std::optional<core::MessageId> message_id;
      if (!row[5].is_null()) message_id = core::MessageId(pg::UuidOf(row[5]));
      log.push_back(SagaLogEntry{pg::TimestampOf(row[0]), row[1].c_str(), row[2].c_str(), row[3].c_str(),
                                 row[4].c_str(), message_id, row[6].c_str()});
    }
    return log;
  });
}

std::vector<SagaInstance> PgSagaQueries::ListInState(SagaState state, int limit,
                                                     std::optional<core::Timestamp> updated_before) {
  return pg::TransactionScope(pool_).Run([&](pqxx::transaction_base& tx) {
    std::vector<SagaInstance> sagas;
    constexpr std::int64_t kEndOfTime = 253402300799000000;  // 9999-12-31T23:59:59Z
    const std::int64_t before = updated_before ? core::ToUnixMicros(*updated_before) : kEndOfTime;
    for (const auto& row :
         pg::Exec(tx,
                  "SELECT " + kSagaColumns + " FROM sagas s WHERE s.state = $1 AND s.updated_at < " +
                      pg::TimestampParam(3) + " ORDER BY s.updated_at LIMIT $2",
                  std::string(ToString(state)), limit, before)) {
      sagas.push_back(SagaOf(row));
    }
    return sagas;
  });
}

std::vector<SagaStateCount> PgSagaQueries::CountByState() {
  return pg::TransactionScope(pool_).Run([&](pqxx::transaction_base& tx) {
    std::vector<SagaStateCount> counts;
    for (const auto& row : tx.exec("SELECT state, count(*) FROM sagas GROUP BY state ORDER BY state")) {
      if (auto state = ParseSagaState(row[0].c_str())) counts.push_back({*state, row[1].as<std::int64_t>()});
    }
    return counts;
  });
}

}  // namespace saga::order
