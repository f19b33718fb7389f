#include "services/inventory/infra/pg_unit_of_work.hpp"

#include <pqxx/pqxx>

#include "saga/outbox/outbox.hpp"
#include "saga/pg/errors.hpp"
#include "services/inventory/infra/pg_inventory_repository.hpp"

namespace saga::inventory {

void PgUnitOfWork::Run(const Work& work) {
  auto conn = pool_.Acquire();
  const int appended = pg::Translated([&] {
    pqxx::work tx(*conn);
    PgInventoryRepository repository(tx);
    outbox::OutboxBuffer outbox;
    work(repository, outbox);
    outbox.Flush(tx);
    tx.commit();
    return outbox.Appended();
  });
  if (appended > 0 && published_) published_();
}

void PgTransactionUnitOfWork::Run(const Work& work) {
  PgInventoryRepository repository(tx_, preloaded_);
  work(repository, outbox_);
}

}  // namespace saga::inventory
