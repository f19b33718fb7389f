#pragma once
// The order database schema: services/order/migrations/*.sql, embedded at build time
// (saga_embed_migrations).

#include <vector>

#include "saga/pg/migrations.hpp"

namespace saga::order {

[[nodiscard]] std::vector<pg::Migration> Migrations();

}  // namespace saga::order
