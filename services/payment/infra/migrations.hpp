#pragma once
// The payment database schema: services/payment/migrations/*.sql, embedded at build time
// (saga_embed_migrations).

#include <vector>

#include "saga/pg/migrations.hpp"

namespace saga::payment {

[[nodiscard]] std::vector<pg::Migration> Migrations();

}  // namespace saga::payment
