#pragma once
// BulkRows: many rows in ONE statement. Rows are collected in memory, one PostgreSQL array per
// column, and sent as one prepared statement whose relation `{rows}` is
//   unnest($1::<type>[], $2::<type>[], ...) WITH ORDINALITY AS v(<column>..., ord)
// so that a transaction writing N rows of one shape (outbox rows, saga log lines, version-checked
// updates) pays one round trip and one executor start instead of N. The statement text is fixed
// per shape, whatever the number of rows, so it is prepared once per connection (prepared.hpp).
//
// Values are given as C++ values (strings, integers, booleans, std::optional for NULL) and travel
// as text array literals (quoted and escaped here, parsed by PostgreSQL's array input); a column's
// type is the SQL type of its array elements. `ord` numbers the rows from 1 in the order they
// were added: `ORDER BY v.ord` keeps that order where it matters (the ids a bigserial hands out).
//
// Not thread-safe; one instance per transaction (or reused after Clear()).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <pqxx/pqxx>

namespace saga::pg {

struct BulkColumn {
  std::string name;
  /// SQL type of the values, e.g. "uuid", "text", "bigint", "jsonb".
  std::string type;
};

class BulkRows {
 public:
  explicit BulkRows(std::vector<BulkColumn> columns);

  /// Appends one row: exactly one value per column, in column order (std::logic_error
  /// otherwise). std::nullopt is NULL.
  template <typename... Values>
  void Add(const Values&... values) {
    static_assert(sizeof...(Values) > 0);
    if (sizeof...(Values) != columns_.size()) ThrowArity(sizeof...(Values));
    std::size_t column = 0;
    (AddValue(column++, values), ...);
    ++rows_;
  }

  [[nodiscard]] std::size_t Size() const noexcept { return rows_; }
  [[nodiscard]] bool Empty() const noexcept { return rows_ == 0; }
  void Clear();

  /// `sql` with every "{rows}" replaced by the unnest relation described above (the text the
  /// statement is prepared under). Its parameters are numbered from `first_parameter` (1 unless
  /// the statement is part of a larger one, BulkStatement).
  [[nodiscard]] std::string Statement(const std::string& sql, int first_parameter = 1) const;
  /// The parameters of Statement(), one array literal per column.
  [[nodiscard]] std::vector<std::string> Parameters() const;
  [[nodiscard]] std::size_t Columns() const noexcept { return columns_.size(); }

  /// Runs Statement(sql) with the rows collected so far as its parameters. Nothing is sent when
  /// there are no rows (an empty result is returned). pqxx exceptions propagate untranslated,
  /// as from pg::Exec.
  pqxx::result Exec(pqxx::transaction_base& tx, const std::string& sql) const;

 private:
  [[noreturn]] void ThrowArity(std::size_t given) const;
  void AddElement(std::size_t column, std::optional<std::string_view> text);

  template <typename T>
  void AddValue(std::size_t column, const T& value) {
    if constexpr (std::is_same_v<T, std::nullopt_t>) {
      AddElement(column, std::nullopt);
    } else if constexpr (requires {
                           value.has_value();
                           *value;
                         }) {
      if (value.has_value()) {
        AddValue(column, *value);
      } else {
        AddElement(column, std::nullopt);
      }
    } else if constexpr (std::is_same_v<T, bool>) {
      AddElement(column, value ? std::string_view("t") : std::string_view("f"));
    } else if constexpr (std::is_integral_v<T>) {
      const auto text = std::to_string(value);
      AddElement(column, text);
    } else {
      AddElement(column, std::string_view(value));
    }
  }

  std::vector<BulkColumn> columns_;
  std::vector<std::string> arrays_;  // one array literal per column, without its closing brace
  std::size_t rows_ = 0;
};

/// Several BulkRows statements of one transaction sent as ONE statement, each a part of a WITH
/// (`WITH p0 AS (...), p1 AS (...) SELECT (SELECT count(*) FROM p0), ...`), so that writing N
/// tables costs one round trip, one executor start and one plan instead of N. Every part must
/// be a data-modifying statement with a RETURNING clause (its rows are counted). Parts do not
/// see each other's changes (one snapshot for all, as PostgreSQL runs data-modifying WITH
/// parts): only for writes that are independent of one another. Parts without rows are left
/// out; the statement text depends on which parts are present (a few variants, each prepared
/// once per connection). Not thread-safe; the BulkRows must outlive Exec().
class BulkStatement {
 public:
  /// Adds `rows` with `sql` (containing "{rows}" and RETURNING); returns the part's index.
  std::size_t Add(const BulkRows& rows, std::string sql);
  /// Runs the parts that have rows as one statement; the rows each part returned, by index
  /// (0 for parts left out). Nothing is sent when no part has rows. pqxx exceptions propagate.
  std::vector<std::size_t> Exec(pqxx::transaction_base& tx) const;

 private:
  struct Part {
    const BulkRows* rows;
    std::string sql;
  };
  std::vector<Part> parts_;
};

}  // namespace saga::pg
