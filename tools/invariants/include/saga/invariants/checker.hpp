#pragma once
// The invariant checker: what must be true of the three databases of a system whose sagas have
// settled, whatever crashed on the way. Used by the crash and fault tests, the benchmark, and
// operators (`sagactl invariants`). Reads only; safe against a running system (each database is
// read in one REPEATABLE READ snapshot), but "at rest" checks only mean something once traffic
// has stopped and the sagas have settled.
//
// Checks:
//   stock      per product: 0 <= reserved <= quantity; quantity = received - sold (the ledger);
//              reserved = the units of its Active reservations; sold = the units of its
//              Committed reservations = the units of Completed orders (nothing negative).
//   at rest    no Active reservation, every saga in Completed / Failed / Cancelled, and each
//              order's status is its saga's outcome (an order without a saga only Failed, by
//              the clean-up of abandoned orders).
//   money      per currency: charged - refunded (Completed payments) = the total of Completed
//              orders; every Completed order has exactly one Completed payment of its total;
//              at most one successful charge (Completed or Refunded) per order.
//   orders     every acknowledged order id (given) exists.
//   outbox     no unpublished outbox row in any of the three databases.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace saga::invariants {

struct CheckInput {
  std::string order_dsn;
  std::string inventory_dsn;
  std::string payment_dsn;
  /// Orders a client got a 202 for; each must exist.
  std::vector<std::string> acknowledged_orders;
  /// Also check the at-rest conditions (no saga running, nothing held).
  bool at_rest = true;
};

struct CheckReport {
  /// One line per violation, naming the invariant and the ids involved.
  std::vector<std::string> violations;
  /// What was checked, for the record: "orders", "completed", "failed", "cancelled",
  /// "products", "payments", "sold_units", "charged_minor" (sum over currencies)...
  std::map<std::string, std::int64_t> stats;

  [[nodiscard]] bool Ok() const noexcept { return violations.empty(); }
  /// Human-readable summary (stats, then violations).
  [[nodiscard]] std::string Summary() const;
};

/// Runs every check. Throws pg errors (core::InfraError) when a database cannot be read.
[[nodiscard]] CheckReport Check(const CheckInput& input);

}  // namespace saga::invariants
