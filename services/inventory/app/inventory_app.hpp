#pragma once
// The inventory service's REST use cases (the saga's commands are in inventory_commands.hpp).
// Business refusals are returned as results; infrastructure failures propagate as
// core::InfraError. Every change runs in one unit of work with its StockUpdated (and
// LowStockNotification) messages (stock_messages.hpp), so both commit or neither does; reads go
// straight to the repository. Thread-safety: stateless apart from its dependencies (the
// repository, the unit of work and the clock must be thread-safe).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "saga/core/money.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "services/inventory/app/unit_of_work.hpp"
#include "services/inventory/domain/inventory_repository.hpp"

namespace saga::inventory {

struct CreateProductCommand {
  std::string name;
  std::string sku;
  core::Money price;
  std::int64_t quantity = 0;
  /// W3C traceparent of the request (the parent of the StockUpdated it causes); "" for a new trace.
  std::string traceparent;
};

/// Why a use case refused: a domain rule, or one of these.
struct AppError {
  enum class Kind {
    kRule,            // `rule` says which
    kNotFound,        // no such product
    kSkuTaken,        // another product has this SKU
    kVersionMismatch  // the caller's expected version is not the current one (`current_version`)
  };
  Kind kind = Kind::kRule;
  InventoryError rule = InventoryError::kUnknownProduct;
  std::int64_t current_version = 0;
};

class InventoryApp {
 public:
  /// `repository` serves reads; changes go through `unit`.
  InventoryApp(IInventoryRepository& repository, IUnitOfWork& unit, const core::Clock& clock)
      : repository_(repository), unit_(unit), clock_(clock) {}

  [[nodiscard]] core::Result<ProductStock, AppError> CreateProduct(const CreateProductCommand& command);
  [[nodiscard]] std::optional<ProductStock> GetProduct(const core::ProductId& id);
  /// The products of `ids` that exist, in id order.
  [[nodiscard]] std::vector<ProductStock> GetProducts(const std::vector<core::ProductId>& ids);
  [[nodiscard]] core::Page<ProductStock> ListProducts(const core::PageRequest& page);
  [[nodiscard]] core::Page<ProductStock> LowStock(std::int64_t threshold, const core::PageRequest& page);

  /// Sets the units on hand. With `expected_version`, refuses (kVersionMismatch) unless the
  /// stock is at that version; without it, a lost race with another writer is retried.
  [[nodiscard]] core::Result<ProductStock, AppError> SetStock(const core::ProductId& id,
                                                              std::int64_t quantity,
                                                              std::optional<std::int64_t> expected_version,
                                                              const std::string& traceparent = {});

  /// Holds stock for an order until now + ttl, all lines or none; repeating it for the same
  /// order returns the reservations it already has.
  [[nodiscard]] core::Result<std::vector<Reservation>, ReserveFailure> Reserve(
      const core::OrderId& order_id, const std::vector<ReservationLine>& lines, std::chrono::seconds ttl,
      const std::string& traceparent = {});

 private:
  IInventoryRepository& repository_;
  IUnitOfWork& unit_;
  const core::Clock& clock_;
};

}  // namespace saga::inventory
