#pragma once
// Schema migrations: numbered SQL files per service (services/<svc>/migrations/
// NNNN_name.up.sql and NNNN_name.down.sql), embedded in the executable at build time
// (saga_embed_migrations in cmake/SagaHelpers.cmake) and applied by MigrationRunner.
//
// - Each migration runs in its own transaction with its schema_migrations row: it is applied
//   whole or not at all.
// - A session advisory lock serialises runners, so several instances starting together apply
//   each migration once.
// - The checksum of every applied migration is compared with the embedded one: an edited,
//   already-applied migration is refused (MigrationError) instead of silently diverging.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "saga/core/errors.hpp"

namespace saga::pg {

struct Migration {
  int version = 0;
  std::string name;
  std::string up_sql;
  std::string down_sql;
};

struct MigrationState {
  int version = 0;
  std::string name;
  bool applied = false;
  std::optional<std::string> applied_at;  // RFC 3339 when applied
  bool checksum_matches = true;           // false: the applied SQL differs from the embedded one
};

/// A migration set that is inconsistent, or a database whose history does not match it.
class MigrationError : public core::InfraError {
 public:
  explicit MigrationError(const std::string& what) : core::InfraError(what, false) {}
};

class MigrationRunner {
 public:
  /// Throws MigrationError unless versions are positive and unique. Gaps are allowed (shared
  /// migrations such as the audit trail keep one number in every service), but a pending
  /// migration numbered below an applied one is refused by Up(): history only grows at the end.
  explicit MigrationRunner(std::vector<Migration> migrations);

  /// Applies every pending migration in order. Returns the versions applied now.
  std::vector<int> Up(pqxx::connection& conn) const;
  /// Reverts the last `count` applied migrations, newest first. Returns the versions reverted.
  std::vector<int> Down(pqxx::connection& conn, int count) const;
  /// Every known migration with whether it is applied.
  [[nodiscard]] std::vector<MigrationState> Status(pqxx::connection& conn) const;
  /// The highest applied version (0 for none).
  [[nodiscard]] int CurrentVersion(pqxx::connection& conn) const;
  /// The highest known version (0 for none).
  [[nodiscard]] int LatestVersion() const noexcept {
    return migrations_.empty() ? 0 : migrations_.back().version;
  }

  /// FNV-1a 64 of the SQL, hex: what schema_migrations.checksum stores.
  [[nodiscard]] static std::string Checksum(const std::string& sql);

 private:
  [[nodiscard]] const Migration* Find(int version) const noexcept;

  std::vector<Migration> migrations_;  // ascending versions
};

}  // namespace saga::pg
