#pragma once
// IUnitOfWork: "the repository and the outbox in one transaction". The app layer runs a state
// change and the messages it causes through it, so they commit together or not at all.
// Implementations (infra/pg_unit_of_work.hpp):
//   - PgUnitOfWork: acquires a pooled connection, runs the work, commits (REST, expiry worker);
//   - PgTransactionUnitOfWork: runs the work inside a transaction the caller owns and commits
//     (the reliable consumer's inbox transaction), never committing it itself.
// Work that throws leaves nothing behind (PgUnitOfWork rolls back; the caller of a
// PgTransactionUnitOfWork rolls back when the exception reaches it). A business refusal is not
// an exception: work that returns has its writes committed, so a refusal must write nothing
// (the repository guarantees that for its own calls).

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "saga/outbox/message_outbox.hpp"
#include "services/inventory/domain/inventory_repository.hpp"

namespace saga::inventory {

class IUnitOfWork {
 public:
  using Work = std::function<void(IInventoryRepository& repository, outbox::IMessageOutbox& outbox)>;
  virtual ~IUnitOfWork() = default;
  /// Runs `work` once, with a repository and an outbox bound to one transaction (valid only
  /// during the call). Exceptions of `work` and infrastructure failures propagate.
  virtual void Run(const Work& work) = 0;
};

/// Runs `fn(repository, outbox)` in a unit of work and returns what it returned.
template <typename F>
auto RunInUnitOfWork(IUnitOfWork& unit, F&& fn)
    -> std::invoke_result_t<F&, IInventoryRepository&, outbox::IMessageOutbox&> {
  using R = std::invoke_result_t<F&, IInventoryRepository&, outbox::IMessageOutbox&>;
  if constexpr (std::is_void_v<R>) {
    unit.Run(
        [&](IInventoryRepository& repository, outbox::IMessageOutbox& outbox) { fn(repository, outbox); });
  } else {
    std::optional<R> result;
    unit.Run([&](IInventoryRepository& repository, outbox::IMessageOutbox& outbox) {
      result.emplace(fn(repository, outbox));
    });
    return std::move(*result);
  }
}

}  // namespace saga::inventory
