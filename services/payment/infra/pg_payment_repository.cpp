#include "services/payment/infra/pg_payment_repository.hpp"

#include <set>
#include <type_traits>
#include <utility>

#include <pqxx/pqxx>

#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/prepared.hpp"
#include "saga/pg/sql.hpp"

namespace saga::payment {
namespace {

using pg::MicrosOf;
using pg::TimestampOf;
using pg::TimestampParam;

const std::string kColumns = "id::text, order_id::text, currency, amount_minor, status, transaction_id, " +
                             MicrosOf("processed_at") + ", failure_reason, " + MicrosOf("created_at") + ", " +
                             MicrosOf("updated_at") + ", version";

std::string Id(const core::Uuid& id) {
  return id.ToString();
}

template <typename T>
std::optional<T> Optional(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<T>();
}

Payment PaymentFrom(const pqxx::row& row) {
  const auto currency = core::Currency::Parse(row[2].c_str());
  const auto status = ParsePaymentStatus(row[4].c_str());
  if (!currency || !status) throw pg::QueryError("stored payment has an unknown currency or status", "");
  std::optional<core::Timestamp> processed_at;
  if (!row[6].is_null()) processed_at = TimestampOf(row[6]);
  auto payment = Payment::Restore(core::PaymentId(pg::UuidOf(row[0])), core::OrderId(pg::UuidOf(row[1])),
                                  core::Money(row[3].as<std::int64_t>(), *currency), *status,
                                  Optional<std::string>(row[5]), processed_at, Optional<std::string>(row[7]),
                                  TimestampOf(row[8]), TimestampOf(row[9]), row[10].as<std::int64_t>());
  if (!payment)
    throw pg::QueryError("stored payment is invalid: " + std::string(ToString(payment.Error())), "");
  return std::move(payment).Value();
}

std::optional<std::int64_t> ProcessedAtMicros(const Payment& payment) {
  if (!payment.ProcessedAt()) return std::nullopt;
  return core::ToUnixMicros(*payment.ProcessedAt());
}

std::vector<Payment> PaymentsFrom(const pqxx::result& rows) {
  std::vector<Payment> payments;
  for (const auto& row : rows) payments.push_back(PaymentFrom(row));
  return payments;
}

template <typename Tx, typename... Args>
std::vector<Payment> Query(Tx& tx, const std::string& where, Args&&... args) {
  return PaymentsFrom(
      pg::Exec(tx, "SELECT " + kColumns + " FROM payments " + where, std::forward<Args>(args)...));
}

}  // namespace

std::optional<outbox::BatchLoad> PaymentCommandLoad(const std::vector<const contracts::Envelope*>& taken,
                                                    int first_parameter) {
  std::set<std::string> orders;
  for (const auto* command : taken) orders.insert(Id(command->order_id.Get()));
  if (orders.empty()) return std::nullopt;
  // In GetByOrderId's order within each order; locked, so that a transaction that waited for
  // another one's change of a payment gets the row as committed (a stale copy of a completed
  // payment could be refunded at the gateway before its version check refused it).
  return outbox::BatchLoad{"SELECT " + kColumns + " FROM payments WHERE order_id = ANY($" +
                               std::to_string(first_parameter) +
                               "::uuid[]) ORDER BY order_id, created_at DESC, id FOR UPDATE",
                           {pg::ArrayLiteral(orders, [](const std::string& id) { return id; })}};
}

PreloadedPayments* PreloadedPaymentsOf(outbox::HandlerContext& context) {
  auto& preloaded = outbox::TransactionStateOf<std::optional<PreloadedPayments>>(context, [&] {
    std::optional<PreloadedPayments> payments;
    if (context.loaded != nullptr) {
      std::set<std::string> orders;
      for (const auto* command : context.applying) orders.insert(Id(command->order_id.Get()));
      payments.emplace(std::move(orders));
      pg::Translated([&] {
        for (const auto& row : *context.loaded) {
          auto payment = PaymentFrom(row);
          const auto order = Id(payment.OrderId().Get());
          payments->Add(order, std::move(payment));
        }
      });
    }
    return payments;
  });
  return preloaded ? &*preloaded : nullptr;
}

void PgPaymentRepository::Create(Payment& payment) {
  scope_.Run([&](pqxx::transaction_base& tx) {
    pg::Exec0(
        tx,
        "INSERT INTO payments (id, order_id, currency, amount_minor, status, transaction_id, processed_at, "
        "failure_reason, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, " +
            TimestampParam(7) + ", $8, " + TimestampParam(9) + ", " + TimestampParam(10) + ", 1)",
        Id(payment.Id().Get()), Id(payment.OrderId().Get()),
        std::string(payment.Amount().GetCurrency().Code()), payment.Amount().MinorUnits(),
        std::string(ToString(payment.Status())), payment.TransactionId(), ProcessedAtMicros(payment),
        payment.FailureReason(), core::ToUnixMicros(payment.CreatedAt()),
        core::ToUnixMicros(payment.UpdatedAt()));
  });
  payment.MarkPersisted(1);
  if (preloaded_ != nullptr) preloaded_->Wrote(Id(payment.OrderId().Get()));
}

void PgPaymentRepository::Update(Payment& payment) {
  const auto version = scope_.Run([&](pqxx::transaction_base& tx) {
    auto updated =
        pg::Exec(tx,
                 "UPDATE payments SET status = $3, transaction_id = $4, processed_at = " + TimestampParam(5) +
                     ", failure_reason = $6, updated_at = " + TimestampParam(7) +
                     ", version = version + 1 WHERE id = $1 AND version = $2 RETURNING version",
                 Id(payment.Id().Get()), payment.Version(), std::string(ToString(payment.Status())),
                 payment.TransactionId(), ProcessedAtMicros(payment), payment.FailureReason(),
                 core::ToUnixMicros(payment.UpdatedAt()));
    if (updated.empty()) {
      throw core::ConcurrencyConflict("payment " + Id(payment.Id().Get()) + " changed since version " +
                                      std::to_string(payment.Version()) + " was read");
    }
    return updated[0][0].as<std::int64_t>();
  });
  payment.MarkPersisted(version);
  if (preloaded_ != nullptr) preloaded_->Wrote(Id(payment.OrderId().Get()));
}

std::optional<Payment> PgPaymentRepository::Get(const core::PaymentId& id) {
  return scope_.Run([&](pqxx::transaction_base& tx) -> std::optional<Payment> {
    auto found = Query(tx, "WHERE id = $1", Id(id.Get()));
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
  });
}

std::vector<Payment> PgPaymentRepository::GetByOrderId(const core::OrderId& order_id) {
  if (preloaded_ != nullptr) {
    if (auto kept = preloaded_->Of(Id(order_id.Get()))) return std::move(*kept);
  }
  return scope_.Run([&](pqxx::transaction_base& tx) {
    return Query(tx, "WHERE order_id = $1 ORDER BY created_at DESC, id", Id(order_id.Get()));
  });
}

std::optional<Payment> PgPaymentRepository::GetByTransactionId(const std::string& transaction_id) {
  return scope_.Run([&](pqxx::transaction_base& tx) -> std::optional<Payment> {
    auto found = Query(tx, "WHERE transaction_id = $1", transaction_id);
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
  });
}

core::Page<Payment> PgPaymentRepository::List(const PaymentFilter& filter, const core::PageRequest& page) {
  return scope_.Run([&](pqxx::transaction_base& tx) {
    const std::optional<std::string> status =
        filter.status ? std::optional<std::string>(std::string(ToString(*filter.status))) : std::nullopt;
    core::Page<Payment> result;
    result.total =
        pg::ExecPlanned(tx, "SELECT count(*) FROM payments WHERE ($1::text IS NULL OR status = $1)",
                        status)[0][0]
            .as<std::int64_t>();
    result.items =
        PaymentsFrom(pg::ExecPlanned(tx,
                                     "SELECT " + kColumns +
                                         " FROM payments WHERE ($1::text IS NULL OR status = $1) ORDER "
                                         "BY created_at DESC, id LIMIT $2 OFFSET $3",
                                     status, page.ClampedLimit(), page.ClampedOffset()));
    return result;
  });
}

}  // namespace saga::payment
