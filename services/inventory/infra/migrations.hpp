#pragma once
// The inventory database schema: services/inventory/migrations/*.sql, embedded at build time
// (saga_embed_migrations).

#include <vector>

#include "saga/pg/migrations.hpp"

namespace saga::inventory {

[[nodiscard]] std::vector<pg::Migration> Migrations();

}  // namespace saga::inventory
