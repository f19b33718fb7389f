#pragma once
// Prepared statements for the hot paths. Exec/Exec0/Exec1 run a statement as a named prepared
// statement of the transaction's connection, named after a hash of its text: PostgreSQL parses,
// analyses and plans it once per connection (its plan cache then keeps a generic plan when that
// is as good) instead of on every execution, as exec_params does. Parse and plan were about a
// third of PostgreSQL's CPU per saga (docs/performance.md).
//
// Only for statements whose text is fixed or one of a few variants (filters switched on and
// off): every distinct text stays prepared on each pooled connection until it closes. Values
// always travel as parameters, never in the text.
//
// The statement is prepared on first use, inside the caller's transaction; a prepared statement
// outlives a rollback, and a connection that breaks is dropped by the pool with its statements.
// A hash collision between two different texts fails loudly (pqxx refuses to redefine a name).
//
// Plans: every connection runs its prepared statements with their generic plan
// (plan_cache_mode = force_generic_plan, set by pg::Connect). Left to choose, PostgreSQL plans a
// statement again on every execution when a plan for the values looks cheaper than the generic
// one, which it always does for `= ANY($1::uuid[])` and unnest of array parameters (the values
// say how many rows there are): planning then cost more than executing (docs/performance.md). A
// statement whose best plan really depends on its values (optional filters such as
// `$1 IS NULL OR status = $1`) runs through ExecPlanned instead, planned with its values each time.

#include <string>
#include <string_view>
#include <utility>

#include <pqxx/pqxx>

namespace saga::pg {

/// The name `sql` is prepared under: "s" and 16 hex digits of its hash.
[[nodiscard]] std::string StatementName(std::string_view sql);

/// Defines `sql` on the transaction's connection (prepared on its first execution there) and
/// returns its name.
[[nodiscard]] std::string Prepare(pqxx::transaction_base& tx, const std::string& sql);

template <typename... Args>
pqxx::result Exec(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
  return tx.exec_prepared(Prepare(tx, sql), std::forward<Args>(args)...);
}

/// Exec that expects no rows (pqxx::unexpected_rows otherwise).
template <typename... Args>
pqxx::result Exec0(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
  return tx.exec_prepared0(Prepare(tx, sql), std::forward<Args>(args)...);
}

/// Exec that expects exactly one row (pqxx::unexpected_rows otherwise).
template <typename... Args>
pqxx::row Exec1(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
  return tx.exec_prepared1(Prepare(tx, sql), std::forward<Args>(args)...);
}

/// Runs `sql` unprepared, planned with its values on every execution (see the comment above);
/// for listings with optional filters, not for the hot paths.
template <typename... Args>
pqxx::result ExecPlanned(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
  return tx.exec_params(sql, std::forward<Args>(args)...);
}

}  // namespace saga::pg
