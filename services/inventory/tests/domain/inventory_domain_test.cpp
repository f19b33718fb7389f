// Table-driven tests of the inventory domain: SKU and product validation, stock invariants and
// the stock ledger, and the reservation status table with its repeatable moves.
#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "services/inventory/domain/inventory_item.hpp"
#include "services/inventory/domain/product.hpp"
#include "services/inventory/domain/reservation.hpp"

namespace saga::inventory {
namespace {

const core::Currency kEur = *core::Currency::Parse("EUR");
const core::Timestamp kT0 = core::FromUnixMicros(1'700'000'000'000'000);
const core::Timestamp kT1 = kT0 + std::chrono::minutes(1);
const core::Timestamp kExpiry = kT0 + std::chrono::minutes(15);

TEST(SkuTest, Format) {
  for (const std::string& good :
       std::vector<std::string>{"ABC", "TSHIRT-RED-M", "A1-B2-C3", "123", std::string(64, 'X')}) {
    EXPECT_TRUE(Sku::Parse(good).HasValue()) << good;
  }
  for (const char* bad : {"", "AB", "abc", "-ABC", "ABC-", "AB--C", "AB C", "AB_C", "ÄBC"}) {
    auto sku = Sku::Parse(bad);
    ASSERT_FALSE(sku.HasValue()) << bad;
    EXPECT_EQ(sku.Error(), InventoryError::kInvalidSku);
  }
  EXPECT_FALSE(Sku::Parse(std::string(65, 'X')).HasValue());
}

TEST(ProductTest, ValidatesNameAndPrice) {
  const auto sku = Sku::Parse("MUG-01").Value();
  struct Case {
    std::string name;
    std::int64_t price;
    std::optional<InventoryError> error;
  };
  for (const auto& c :
       {Case{"Mug", 1, {}}, Case{std::string(200, 'n'), 100, {}}, Case{"", 100, InventoryError::kInvalidName},
        Case{"   ", 100, InventoryError::kInvalidName},
        Case{std::string(201, 'n'), 100, InventoryError::kInvalidName},
        Case{"Mug", 0, InventoryError::kInvalidPrice}, Case{"Mug", -1, InventoryError::kInvalidPrice}}) {
    auto product =
        Product::Create(core::NewId<core::ProductId>(), c.name, sku, core::Money(c.price, kEur), kT0);
    EXPECT_EQ(product.HasValue(), !c.error.has_value()) << c.name.size() << " " << c.price;
    if (c.error && !product.HasValue()) {
      EXPECT_EQ(product.Error(), *c.error);
    }
  }
}

// An item that has sold 2 units so far (none when `quantity` leaves no room in the ledger).
InventoryItem Stock(std::int64_t quantity, std::int64_t reserved = 0) {
  const std::int64_t sold = quantity > std::numeric_limits<std::int64_t>::max() - 2 ? 0 : 2;
  return InventoryItem::Restore(core::NewId<core::InventoryItemId>(), core::NewId<core::ProductId>(),
                                quantity, reserved, quantity + sold, sold, kT0, 1)
      .Value();
}

enum class Op { kReserve, kRelease, kCommit, kRestock, kSet, kReturn };

TEST(InventoryItemTest, OperationsKeepZeroLeReservedLeQuantity) {
  struct Case {
    std::int64_t quantity, reserved;
    Op op;
    std::int64_t count;
    std::optional<InventoryError> error;
    std::int64_t want_quantity, want_reserved;
  };
  const auto max = std::numeric_limits<std::int64_t>::max();
  const Case cases[] = {
      {10, 0, Op::kReserve, 10, {}, 10, 10},
      {10, 4, Op::kReserve, 6, {}, 10, 10},
      {10, 4, Op::kReserve, 7, InventoryError::kInsufficientStock, 10, 4},
      {10, 0, Op::kReserve, 0, InventoryError::kInvalidQuantity, 10, 0},
      {10, 0, Op::kReserve, -1, InventoryError::kInvalidQuantity, 10, 0},
      {10, 4, Op::kRelease, 4, {}, 10, 0},
      {10, 4, Op::kRelease, 5, InventoryError::kReleaseExceedsReserved, 10, 4},
      {10, 4, Op::kRelease, 0, InventoryError::kInvalidQuantity, 10, 4},
      {10, 4, Op::kCommit, 3, {}, 7, 1},
      {10, 4, Op::kCommit, 5, InventoryError::kCommitExceedsReserved, 10, 4},
      {10, 4, Op::kCommit, -2, InventoryError::kInvalidQuantity, 10, 4},
      {10, 4, Op::kRestock, 5, {}, 15, 4},
      {max, 0, Op::kRestock, 1, InventoryError::kQuantityOverflow, max, 0},
      {10, 4, Op::kRestock, 0, InventoryError::kInvalidQuantity, 10, 4},
      {10, 4, Op::kSet, 4, {}, 4, 4},
      {10, 4, Op::kSet, 0, InventoryError::kStockBelowReserved, 10, 4},
      {10, 0, Op::kSet, 0, {}, 0, 0},
      {10, 0, Op::kSet, -1, InventoryError::kInvalidQuantity, 10, 0},
      {10, 4, Op::kReturn, 2, {}, 12, 4},
      {10, 4, Op::kReturn, 3, InventoryError::kReturnExceedsSold, 10, 4},
      {10, 4, Op::kReturn, 0, InventoryError::kInvalidQuantity, 10, 4},
      {max, 0, Op::kReturn, 1, InventoryError::kReturnExceedsSold, max, 0},
  };
  for (const auto& c : cases) {
    auto item = Stock(c.quantity, c.reserved);
    core::Result<void, InventoryError> result = core::Ok<InventoryError>();
    switch (c.op) {
      case Op::kReserve:
        result = item.Reserve(c.count, kT1);
        break;
      case Op::kRelease:
        result = item.Release(c.count, kT1);
        break;
      case Op::kCommit:
        result = item.CommitSale(c.count, kT1);
        break;
      case Op::kRestock:
        result = item.Restock(c.count, kT1);
        break;
      case Op::kSet:
        result = item.SetStock(c.count, kT1);
        break;
      case Op::kReturn:
        result = item.ReturnSale(c.count, kT1);
        break;
    }
    const auto label = ::testing::Message() << "q=" << c.quantity << " r=" << c.reserved
                                            << " op=" << static_cast<int>(c.op) << " n=" << c.count;
    EXPECT_EQ(result.HasValue(), !c.error.has_value()) << label;
    if (c.error && !result.HasValue()) {
      EXPECT_EQ(result.Error(), *c.error) << label;
    }
    EXPECT_EQ(item.Quantity(), c.want_quantity) << label;
    EXPECT_EQ(item.Reserved(), c.want_reserved) << label;
    EXPECT_GE(item.Available(), 0) << label;
    EXPECT_EQ(item.Quantity(), item.Received() - item.Sold()) << label << " (ledger)";
    EXPECT_GE(item.Sold(), 0) << label;
    EXPECT_EQ(item.DomainEvents().size(), c.error ? 0U : 1U) << label;
    if (!c.error) {
      EXPECT_EQ(item.LastUpdated(), kT1) << label;
    }
  }
}

TEST(InventoryItemTest, CreateAndRestoreRefuseBrokenNumbers) {
  EXPECT_EQ(
      InventoryItem::Create(core::NewId<core::InventoryItemId>(), core::NewId<core::ProductId>(), -1, kT0)
          .Error(),
      InventoryError::kInvalidQuantity);
  auto created =
      InventoryItem::Create(core::NewId<core::InventoryItemId>(), core::NewId<core::ProductId>(), 5, kT0);
  ASSERT_TRUE(created.HasValue());
  EXPECT_EQ(created.Value().Reserved(), 0);
  EXPECT_EQ(created.Value().Version(), 0);
  auto id = core::NewId<core::InventoryItemId>();
  auto product = core::NewId<core::ProductId>();
  EXPECT_EQ(created.Value().Received(), 5);
  EXPECT_EQ(created.Value().Sold(), 0);
  EXPECT_EQ(InventoryItem::Restore(id, product, 5, 6, 5, 0, kT0, 1).Error(),
            InventoryError::kStockBelowReserved);
  EXPECT_EQ(InventoryItem::Restore(id, product, 5, -1, 5, 0, kT0, 1).Error(),
            InventoryError::kInvalidQuantity);
  EXPECT_EQ(InventoryItem::Restore(id, product, 5, 0, 6, 0, kT0, 1).Error(), InventoryError::kInvalidQuantity)
      << "ledger does not add up";
  EXPECT_EQ(InventoryItem::Restore(id, product, 5, 0, 4, -1, kT0, 1).Error(),
            InventoryError::kInvalidQuantity)
      << "negative sold";
  const auto max = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(InventoryItem::Restore(id, product, 5, 0, -max, max, kT0, 1).Error(),
            InventoryError::kInvalidQuantity)
      << "received - sold overflows";
  EXPECT_TRUE(InventoryItem::Restore(id, product, 5, 1, 9, 4, kT0, 1).HasValue());
}

TEST(InventoryItemTest, TheLedgerExplainsEveryChangeOfQuantity) {
  auto item =
      InventoryItem::Create(core::NewId<core::InventoryItemId>(), core::NewId<core::ProductId>(), 10, kT0)
          .Value();
  const auto expect = [&](std::int64_t quantity, std::int64_t received, std::int64_t sold, const char* step) {
    EXPECT_EQ(item.Quantity(), quantity) << step;
    EXPECT_EQ(item.Received(), received) << step;
    EXPECT_EQ(item.Sold(), sold) << step;
  };
  expect(10, 10, 0, "create: the initial stock is received");
  ASSERT_TRUE(item.Reserve(4, kT1).HasValue());
  expect(10, 10, 0, "a hold changes no ledger");
  ASSERT_TRUE(item.CommitSale(3, kT1).HasValue());
  expect(7, 10, 3, "a sale is sold");
  ASSERT_TRUE(item.ReturnSale(2, kT1).HasValue());
  expect(9, 10, 1, "a return is sold no more");
  EXPECT_EQ(item.Reserved(), 1) << "a return does not touch holds";
  ASSERT_TRUE(item.Restock(5, kT1).HasValue());
  expect(14, 15, 1, "a restock is received");
  ASSERT_TRUE(item.SetStock(4, kT1).HasValue());
  expect(4, 5, 1, "a stock count moves received by the difference");
  ASSERT_TRUE(item.SetStock(6, kT1).HasValue());
  expect(6, 7, 1, "upwards too");
  EXPECT_EQ(item.ReturnSale(2, kT1).Error(), InventoryError::kReturnExceedsSold);
  expect(6, 7, 1, "a refused return changes nothing");
  ASSERT_TRUE(item.ReturnSale(1, kT1).HasValue());
  expect(7, 7, 0, "everything sold came back");
}

Reservation ActiveReservation() {
  return Reservation::Create(core::NewId<core::ReservationId>(), core::NewId<core::OrderId>(),
                             core::NewId<core::ProductId>(), 3, kT0, kExpiry)
      .Value();
}

Reservation In(ReservationStatus status) {
  auto r = ActiveReservation();
  return Reservation::Restore(r.Id(), r.OrderId(), r.ProductId(), r.Quantity(), status, kT0, kT0, kExpiry)
      .Value();
}

TEST(ReservationTest, StatusTable) {
  using S = ReservationStatus;
  const auto all = {S::kActive, S::kCommitted, S::kReleased, S::kExpired, S::kReturned};
  for (auto from : all) {
    for (auto to : all) {
      const bool allowed =
          (from == S::kActive && (to == S::kCommitted || to == S::kReleased || to == S::kExpired)) ||
          (from == S::kCommitted && to == S::kReturned);
      EXPECT_EQ(CanTransition(from, to), allowed) << ToString(from) << " -> " << ToString(to);
    }
    EXPECT_EQ(ParseReservationStatus(ToString(from)), from);
  }
  EXPECT_EQ(ToString(S::kReturned), "Returned");
  EXPECT_FALSE(ParseReservationStatus("Held").has_value());
}

TEST(ReservationTest, MovesAreExactAndRepeatable) {
  using S = ReservationStatus;
  struct Case {
    S from;
    const char* move;
    core::Timestamp at;
    std::optional<Outcome> outcome;
    std::optional<InventoryError> error;
    S to;
  };
  const core::Timestamp late = kExpiry + std::chrono::seconds(1);
  const Case cases[] = {
      {S::kActive, "release", kT1, Outcome::kApplied, {}, S::kReleased},
      {S::kReleased, "release", kT1, Outcome::kAlreadyDone, {}, S::kReleased},
      {S::kExpired, "release", kT1, Outcome::kAlreadyDone, {}, S::kExpired},
      {S::kCommitted, "release", kT1, {}, InventoryError::kIllegalTransition, S::kCommitted},
      {S::kActive, "commit", kT1, Outcome::kApplied, {}, S::kCommitted},
      {S::kCommitted, "commit", kT1, Outcome::kAlreadyDone, {}, S::kCommitted},
      {S::kActive, "commit", late, {}, InventoryError::kReservationExpired, S::kActive},
      {S::kReleased, "commit", kT1, {}, InventoryError::kIllegalTransition, S::kReleased},
      {S::kExpired, "commit", kT1, {}, InventoryError::kIllegalTransition, S::kExpired},
      {S::kActive, "expire", late, Outcome::kApplied, {}, S::kExpired},
      {S::kActive, "expire", kT1, {}, InventoryError::kIllegalTransition, S::kActive},
      {S::kExpired, "expire", late, Outcome::kAlreadyDone, {}, S::kExpired},
      {S::kCommitted, "expire", late, Outcome::kAlreadyDone, {}, S::kCommitted},
      {S::kCommitted, "return", kT1, Outcome::kApplied, {}, S::kReturned},
      {S::kCommitted, "return", late, Outcome::kApplied, {}, S::kReturned},
      {S::kReturned, "return", kT1, Outcome::kAlreadyDone, {}, S::kReturned},
      {S::kActive, "return", kT1, {}, InventoryError::kIllegalTransition, S::kActive},
      {S::kReleased, "return", kT1, {}, InventoryError::kIllegalTransition, S::kReleased},
      {S::kExpired, "return", kT1, {}, InventoryError::kIllegalTransition, S::kExpired},
      {S::kReturned, "release", kT1, {}, InventoryError::kIllegalTransition, S::kReturned},
      {S::kReturned, "commit", kT1, {}, InventoryError::kIllegalTransition, S::kReturned},
      {S::kReturned, "expire", late, Outcome::kAlreadyDone, {}, S::kReturned},
  };
  for (const auto& c : cases) {
    auto r = In(c.from);
    const std::string move = c.move;
    auto result = move == "release"  ? r.Release(c.at)
                  : move == "commit" ? r.Commit(c.at)
                  : move == "return" ? r.Return(c.at)
                                     : r.Expire(c.at);
    const auto label = ::testing::Message() << ToString(c.from) << " " << move;
    if (c.outcome) {
      ASSERT_TRUE(result.HasValue()) << label;
      EXPECT_EQ(result.Value(), *c.outcome) << label;
    } else {
      ASSERT_FALSE(result.HasValue()) << label;
      EXPECT_EQ(result.Error(), *c.error) << label;
    }
    EXPECT_EQ(r.Status(), c.to) << label;
    if (c.outcome == Outcome::kApplied) {
      EXPECT_EQ(r.UpdatedAt(), c.at) << label;
    }
  }
}

TEST(ReservationTest, CreateValidates) {
  EXPECT_EQ(Reservation::Create(core::NewId<core::ReservationId>(), core::NewId<core::OrderId>(),
                                core::NewId<core::ProductId>(), 0, kT0, kExpiry)
                .Error(),
            InventoryError::kInvalidQuantity);
  EXPECT_EQ(Reservation::Create(core::NewId<core::ReservationId>(), core::NewId<core::OrderId>(),
                                core::NewId<core::ProductId>(), 1, kT0, kT0)
                .Error(),
            InventoryError::kReservationExpired);
}

}  // namespace
}  // namespace saga::inventory
