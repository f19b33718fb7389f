#pragma once
// The one seam where libpqxx exceptions become saga exceptions (STYLE principle 8).
// Callers catch these, never pqxx types.

#include <string>

#include "saga/core/errors.hpp"

namespace saga::pg {

/// Base of PostgreSQL failures. `SqlState()` is the five-character SQLSTATE when known.
class PgError : public core::InfraError {
 public:
  PgError(const std::string& what, bool retryable, std::string sqlstate = {})
      : core::InfraError(what, retryable), sqlstate_(std::move(sqlstate)) {}
  [[nodiscard]] const std::string& SqlState() const noexcept { return sqlstate_; }

 private:
  std::string sqlstate_;
};

/// The server could not be reached or the connection broke. Retryable.
class ConnectionError : public PgError {
 public:
  explicit ConnectionError(const std::string& what) : PgError(what, true, "08000") {}
};

/// Serialization failure, deadlock, or an outcome in doubt. Retryable with a new transaction.
class TransientError : public PgError {
 public:
  TransientError(const std::string& what, std::string sqlstate) : PgError(what, true, std::move(sqlstate)) {}
};

/// A schema constraint refused the write (unique, foreign key, check, not null). Not retryable.
/// `Constraint()` is the constraint's name when the server reported one.
class ConstraintViolation : public PgError {
 public:
  ConstraintViolation(const std::string& what, std::string sqlstate, std::string constraint)
      : PgError(what, false, std::move(sqlstate)), constraint_(std::move(constraint)) {}
  [[nodiscard]] const std::string& Constraint() const noexcept { return constraint_; }

 private:
  std::string constraint_;
};

/// Any other SQL error (syntax, permissions, undefined table...). Not retryable.
class QueryError : public PgError {
 public:
  QueryError(const std::string& what, std::string sqlstate) : PgError(what, false, std::move(sqlstate)) {}
};

/// Rethrows the exception in flight as one of the types above. Call only inside a catch block.
/// Non-pqxx exceptions are rethrown unchanged.
[[noreturn]] void RethrowTranslated();

/// Runs `fn`, translating any pqxx exception it throws.
template <typename F>
decltype(auto) Translated(F&& fn) {
  try {
    return std::forward<F>(fn)();
  } catch (...) {
    RethrowTranslated();
  }
}

}  // namespace saga::pg
