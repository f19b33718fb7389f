#include "services/inventory/app/inventory_app.hpp"

#include <algorithm>

#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"
#include "services/inventory/app/stock_messages.hpp"

namespace saga::inventory {
namespace {

constexpr int kConflictRetries = 5;

AppError Rule(InventoryError error) {
  return AppError{AppError::Kind::kRule, error, 0};
}

}  // namespace

core::Result<ProductStock, AppError> InventoryApp::CreateProduct(const CreateProductCommand& command) {
  const auto now = clock_.Now();
  auto sku = Sku::Parse(command.sku);
  if (!sku) return core::Fail(Rule(sku.Error()));
  auto product = Product::Create(core::NewId<core::ProductId>(), command.name, std::move(sku).Value(),
                                 command.price, now);
  if (!product) return core::Fail(Rule(product.Error()));
  auto item = InventoryItem::Create(core::NewId<core::InventoryItemId>(), product.Value().Id(),
                                    command.quantity, now);
  if (!item) return core::Fail(Rule(item.Error()));
  try {
    RunInUnitOfWork(unit_, [&](IInventoryRepository& repository, outbox::IMessageOutbox& outbox) {
      repository.CreateProduct(product.Value(), item.Value());
      PublishStockWrites(outbox, repository.TakeStockWrites(), NewOrigin(command.traceparent), now);
    });
  } catch (const pg::ConstraintViolation& e) {
    if (e.Constraint() == "products_sku_key") return core::Fail(AppError{AppError::Kind::kSkuTaken, {}, 0});
    throw;
  }
  return ProductStock{std::move(product).Value(), std::move(item).Value()};
}

std::optional<ProductStock> InventoryApp::GetProduct(const core::ProductId& id) {
  return repository_.GetProduct(id);
}

std::vector<ProductStock> InventoryApp::GetProducts(const std::vector<core::ProductId>& ids) {
  return repository_.GetProducts(ids);
}

core::Page<ProductStock> InventoryApp::ListProducts(const core::PageRequest& page) {
  return repository_.ListProducts(page);
}

core::Page<ProductStock> InventoryApp::LowStock(std::int64_t threshold, const core::PageRequest& page) {
  return repository_.LowStock(threshold, page);
}

core::Result<ProductStock, AppError> InventoryApp::SetStock(const core::ProductId& id, std::int64_t quantity,
                                                            std::optional<std::int64_t> expected_version,
                                                            const std::string& traceparent) {
  for (int attempt = 0;; ++attempt) {
    try {
      return RunInUnitOfWork(
          unit_,
          [&](IInventoryRepository& repository,
              outbox::IMessageOutbox& outbox) -> core::Result<ProductStock, AppError> {
            auto stock = repository.GetProduct(id);
            if (!stock) return core::Fail(AppError{AppError::Kind::kNotFound, {}, 0});
            auto& item = stock->item;
            if (expected_version && *expected_version != item.Version()) {
              return core::Fail(AppError{AppError::Kind::kVersionMismatch, {}, item.Version()});
            }
            const auto now = clock_.Now();
            if (auto set = item.SetStock(quantity, now); !set) return core::Fail(Rule(set.Error()));
            repository.UpdateStock(item);
            PublishStockWrites(outbox, repository.TakeStockWrites(), NewOrigin(traceparent), now);
            return std::move(*stock);
          });
    } catch (const core::ConcurrencyConflict&) {
      if (expected_version || attempt + 1 >= kConflictRetries) {
        const auto current = repository_.GetProduct(id);
        return core::Fail(
            AppError{AppError::Kind::kVersionMismatch, {}, current ? current->item.Version() : 0});
      }
    }
  }
}

core::Result<std::vector<Reservation>, ReserveFailure> InventoryApp::Reserve(
    const core::OrderId& order_id, const std::vector<ReservationLine>& lines, std::chrono::seconds ttl,
    const std::string& traceparent) {
  const auto now = clock_.Now();
  auto reserved =
      RunInUnitOfWork(unit_, [&](IInventoryRepository& repository, outbox::IMessageOutbox& outbox) {
        auto result = repository.Reserve(order_id, lines, now,
                                         now + std::chrono::duration_cast<std::chrono::microseconds>(ttl));
        PublishStockWrites(outbox, repository.TakeStockWrites(), NewOrigin(traceparent), now);
        return result;
      });
  if (reserved) {
    // The same order every time, however the rows were found.
    std::sort(reserved.Value().begin(), reserved.Value().end(),
              [](const Reservation& a, const Reservation& b) { return a.ProductId() < b.ProductId(); });
  }
  return reserved;
}

}  // namespace saga::inventory
