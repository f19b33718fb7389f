#pragma once
// A textual snapshot of a database schema (tables, columns, constraints, indexes, triggers,
// functions), to prove that migrating up, down and up again leaves the same schema.

#include <string>

#include <pqxx/connection>

namespace saga::testing {

[[nodiscard]] std::string SchemaSnapshot(pqxx::connection& conn);

}  // namespace saga::testing
