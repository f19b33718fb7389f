#include "services/order/infra/prometheus_saga_metrics.hpp"

#include <cctype>
#include <string>
#include <vector>

#include "services/order/domain/order_status.hpp"

namespace saga::order {
namespace {

// "CompensationFailed" -> "compensation_failed": outcome labels are snake_case.
std::string SnakeCase(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isupper(static_cast<unsigned char>(c)) != 0) {
      if (!out.empty()) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

PrometheusSagaMetrics::PrometheusSagaMetrics(observability::Metrics& metrics)
    : started_(metrics.CounterFamily("saga_sagas_started_total", "Sagas started (orders placed)").Add({})),
      ended_(metrics.CounterFamily("saga_sagas_ended_total",
                                   "Sagas that reached completed, failed, cancelled or compensation_failed")),
      compensated_(metrics.CounterFamily("saga_sagas_compensated_total",
                                         "Compensations that finished, by target (failed, cancelled)")),
      compensations_started_(
          metrics.CounterFamily("saga_compensations_started_total", "Compensations started, by reason")),
      deadline_expiries_(metrics.CounterFamily("saga_deadline_expiries_total",
                                               "Saga deadlines that fired, by the state they fired in")),
      step_retries_(metrics.CounterFamily("saga_saga_step_retries_total",
                                          "Saga commands sent again after a deadline, by command")),
      replies_ignored_(metrics.CounterFamily("saga_replies_ignored_total",
                                             "Replies that no longer fit the saga's state, by type")),
      duration_(metrics.HistogramFamily("saga_duration_seconds", "Saga start to its end, by outcome")),
      step_duration_(metrics.HistogramFamily(
          "saga_step_duration_seconds", "A saga step's command sent to the reply that moved the saga on")) {
  // Every outcome and step exists from the start (rates of a series that never moved are 0, not
  // absent).
  for (const char* outcome : {"completed", "failed", "cancelled", "compensation_failed"}) {
    ended_.Add({{"outcome", outcome}});
    duration_.Add({{"outcome", outcome}}, observability::SagaDurationBuckets());
  }
  for (const char* target : {"failed", "cancelled"}) compensated_.Add({{"target", target}});
  for (const char* state : {"ReservingInventory", "ProcessingPayment", "CommittingInventory",
                            "RefundingPayment", "ReleasingInventory"}) {
    deadline_expiries_.Add({{"state", state}});
  }
  for (const char* type : {"InventoryReserved", "InventoryReservationFailed", "PaymentCompleted",
                           "PaymentFailed", "InventoryCommitted", "InventoryReleased", "RefundCompleted"}) {
    replies_ignored_.Add({{"type", type}});
  }
  for (const auto step :
       {SagaCommand::kReserveInventory, SagaCommand::kProcessPayment, SagaCommand::kCommitInventory,
        SagaCommand::kRefundPayment, SagaCommand::kReleaseInventory}) {
    step_duration_.Add({{"step", std::string(ToString(step))}}, observability::LatencyBuckets());
    step_retries_.Add({{"command", std::string(ToString(step))}});
  }
}

void PrometheusSagaMetrics::Started() {
  started_.Increment();
}

void PrometheusSagaMetrics::Ended(SagaState end, std::chrono::duration<double> duration) {
  const auto outcome = SnakeCase(ToString(end));
  ended_.Add({{"outcome", outcome}}).Increment();
  duration_.Add({{"outcome", outcome}}, observability::SagaDurationBuckets()).Observe(duration.count());
}

void PrometheusSagaMetrics::CompensationStarted(const std::string& reason) {
  compensations_started_.Add({{"reason", reason}}).Increment();
}

void PrometheusSagaMetrics::Compensated(SagaState target) {
  compensated_.Add({{"target", SnakeCase(ToString(target))}}).Increment();
}

void PrometheusSagaMetrics::DeadlineExpired(SagaState state) {
  deadline_expiries_.Add({{"state", std::string(ToString(state))}}).Increment();
}

void PrometheusSagaMetrics::StepRetried(SagaCommand command) {
  step_retries_.Add({{"command", std::string(ToString(command))}}).Increment();
}

void PrometheusSagaMetrics::StepFinished(SagaCommand step, std::chrono::duration<double> duration) {
  step_duration_.Add({{"step", std::string(ToString(step))}}, observability::LatencyBuckets())
      .Observe(duration.count());
}

void PrometheusSagaMetrics::ReplyIgnored(const std::string& type) {
  replies_ignored_.Add({{"type", type}}).Increment();
}

void AddOrderGauges(service::DbGaugeSampler& sampler) {
  using Refresh = service::DbGaugeSampler::Refresh;
  // Every state and status is listed, so an emptied one reads 0. Live ones are counted through
  // the (state, ...) / (status, ...) indexes every sample; the finished ones, which grow without
  // bound, at the history cadence (db_gauges.hpp).
  sampler.Add("saga_sagas", "Sagas in each state now (database)", {"state"},
              service::CountEachSql("sagas", "state",
                                    {"ReservingInventory", "ProcessingPayment", "CommittingInventory",
                                     "RefundingPayment", "ReleasingInventory", "CompensationFailed"}));
  sampler.Add("saga_sagas", "Sagas in each state now (database)", {"state"},
              service::CountEachInOneScanSql("sagas", "state", {"Completed", "Failed", "Cancelled"}),
              Refresh::kHistory);
  std::vector<std::string> live;
  std::vector<std::string> settled;
  for (const auto status : kAllOrderStatuses) {
    (IsSettled(status) ? settled : live).emplace_back(ToString(status));
  }
  sampler.Add("saga_orders", "Orders in each status now (database)", {"status"},
              service::CountEachSql("orders", "status", live));
  sampler.Add("saga_orders", "Orders in each status now (database)", {"status"},
              service::CountEachInOneScanSql("orders", "status", settled), Refresh::kHistory);
  sampler.Add(
      "saga_orders_revenue_minor", "Sum of the totals of Completed orders, minor units (database)",
      {"currency"},
      "SELECT currency, sum(total_minor)::float8 FROM orders WHERE status = 'Completed' GROUP BY currency",
      Refresh::kHistory);
}

}  // namespace saga::order
