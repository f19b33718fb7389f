#include "services/order/infra/pg_saga_store.hpp"

#include <spdlog/spdlog.h>

#include <pqxx/pqxx>

#include "saga/core/errors.hpp"
#include "saga/outbox/outbox.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/prepared.hpp"
#include "saga/pg/sql.hpp"
#include "saga/pg/transaction_scope.hpp"
#include "services/order/domain/order_status.hpp"

namespace saga::order {
namespace {

const std::string kSagaColumns =
    "id::text, order_id::text, state, target, outcome, payment_token, correlation_id, " +
    pg::MicrosOf("deadline") +
    ", step_attempts, compensation_attempts, "
    "definition_version, " +
    pg::MicrosOf("created_at") + ", " + pg::MicrosOf("updated_at") + ", version, traceparent";

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

}  // namespace

std::optional<SagaInstance> PgSagaUnitOfWork::LockSaga(const core::OrderId& order_id) {
  return pg::Translated([&]() -> std::optional<SagaInstance> {
    auto rows = pg::Exec(tx_, "SELECT " + kSagaColumns + " FROM sagas WHERE order_id = $1 FOR UPDATE",
                         order_id.Get().ToString());
    if (rows.empty()) return std::nullopt;
    return SagaOf(rows[0]);
  });
}

void PgSagaUnitOfWork::CreateSaga(SagaInstance& saga) {
  pg::Translated([&] {
    pg::Exec0(tx_,
              "INSERT INTO sagas (id, order_id, definition_version, state, target, outcome, payment_token, "
              "correlation_id, "
              "deadline, step_attempts, compensation_attempts, created_at, updated_at, version, traceparent) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, " +
                  pg::TimestampParam(9) + ", $10, $11, " + pg::TimestampParam(12) + ", " +
                  pg::TimestampParam(13) + ", 1, $14)",
              saga.Id().Get().ToString(), saga.OrderId().Get().ToString(), saga.DefinitionVersion(),
              std::string(ToString(saga.State())), TargetOf(saga), saga.Outcome(), saga.PaymentToken(),
              saga.CorrelationId(), DeadlineOf(saga), saga.StepAttempts(), saga.CompensationAttempts(),
              core::ToUnixMicros(saga.CreatedAt()), core::ToUnixMicros(saga.UpdatedAt()), saga.Traceparent());
  });
  saga.MarkPersisted(1);
}

void PgSagaUnitOfWork::UpdateSaga(SagaInstance& saga) {
  const auto version = pg::Translated([&] {
    auto updated = pg::Exec(
        tx_,
        "UPDATE sagas SET state = $3, target = $4, outcome = $5, deadline = " + pg::TimestampParam(6) +
            ", step_attempts = $7, compensation_attempts = $8, updated_at = " + pg::TimestampParam(9) +
            ", version = version + 1 WHERE id = $1 AND version = $2 RETURNING version",
        saga.Id().Get().ToString(), saga.Version(), std::string(ToString(saga.State())), TargetOf(saga),
        saga.Outcome(), DeadlineOf(saga), saga.StepAttempts(), saga.CompensationAttempts(),
        core::ToUnixMicros(saga.UpdatedAt()));
    if (updated.empty()) {
      throw core::ConcurrencyConflict("saga " + saga.Id().Get().ToString() + " changed since version " +
                                      std::to_string(saga.Version()));
    }
    return updated[0][0].as<std::int64_t>();
  });
  saga.MarkPersisted(version);
}

void PgSagaUnitOfWork::AppendLog(const SagaInstance& saga, const SagaLogEntry& entry) {
  pg::Translated([&] {
    pg::Exec0(
        tx_,
        "INSERT INTO saga_log (saga_id, at, kind, from_state, to_state, message_type, message_id, detail) "
        "VALUES ($1, " +
            pg::TimestampParam(2) + ", $3, $4, $5, $6, $7, $8)",
        saga.Id().Get().ToString(), core::ToUnixMicros(entry.at), entry.kind, entry.from_state,
        entry.to_state, entry.message_type,
        entry.message_id ? std::optional<std::string>(entry.message_id->Get().ToString()) : std::nullopt,
        entry.detail);
  });
}

void PgSagaUnitOfWork::Publish(const std::string& topic, const contracts::Envelope& envelope) {
  (void)outbox::Append(tx_, topic, envelope);
  ++published_;
}

std::vector<SagaInstance> PgSagaUnitOfWork::LockDue(core::Timestamp now, int limit) {
  return pg::Translated([&] {
    std::vector<SagaInstance> due;
    // The saga and its order are locked together, skipping either when someone holds it: a
    // consumer locks the order and then the saga, so taking them in another order here could
    // deadlock with it.
    for (const auto& row : pg::Exec(
             tx_,
             "SELECT " + kSagaColumns +
                 " FROM sagas WHERE id IN (SELECT s.id FROM sagas s JOIN orders o ON o.id = s.order_id WHERE "
                 "s.deadline <= " +
                 pg::TimestampParam(1) +
                 " ORDER BY s.deadline LIMIT $2 FOR UPDATE OF s, o SKIP LOCKED) ORDER BY deadline",
             core::ToUnixMicros(now), limit)) {
      due.push_back(SagaOf(row));
    }
    return due;
  });
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
  return pg::Translated([&] {
    std::vector<core::OrderId> ids;
    for (const auto& row :
         pg::Exec(tx_,
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
  pg::TransactionScope(pool_).Run([&](pqxx::transaction_base& tx) {
    committed.clear();  // a retried attempt starts over
    PgSagaUnitOfWork uow(tx, committed);
    work(uow);
    published = uow.Published();
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

std::optional<SagaInstance> PgSagaQueries::GetSaga(const core::OrderId& order_id) {
  return pg::TransactionScope(pool_).Run([&](pqxx::transaction_base& tx) -> std::optional<SagaInstance> {
    auto rows =
        pg::Exec(tx, "SELECT " + kSagaColumns + " FROM sagas WHERE order_id = $1", order_id.Get().ToString());
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
                  "SELECT " + kSagaColumns + " FROM sagas WHERE state = $1 AND updated_at < " +
                      pg::TimestampParam(3) + " ORDER BY updated_at LIMIT $2",
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
