#include "saga/pg/migrations.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <cstdio>
#include <map>
#include <pqxx/pqxx>

#include "saga/pg/errors.hpp"

namespace saga::pg {
namespace {

// Any constant shared by all runners of all services (each service has its own database).
constexpr std::int64_t kMigrationLockKey = 0x5A6A'0001;

void EnsureTable(pqxx::connection& conn) {
  pqxx::work tx(conn);
  // CREATE TABLE IF NOT EXISTS is not safe against itself when run concurrently.
  tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
  tx.exec0(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version integer PRIMARY KEY CHECK (version > 0),"
      " name text NOT NULL,"
      " checksum text NOT NULL,"
      " applied_at timestamptz NOT NULL DEFAULT now())");
  tx.commit();
}

struct Applied {
  std::string name;
  std::string checksum;
  std::string applied_at;
};

std::map<int, Applied> ReadApplied(pqxx::connection& conn) {
  pqxx::read_transaction tx(conn);
  std::map<int, Applied> applied;
  for (const auto& row :
       tx.exec("SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC', "
               "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM schema_migrations ORDER BY version")) {
    applied[row[0].as<int>()] =
        Applied{row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>()};
  }
  return applied;
}

// Holds the migration advisory lock for the lifetime of the object.
class MigrationLock {
 public:
  explicit MigrationLock(pqxx::connection& conn) : conn_(conn) {
    pqxx::nontransaction tx(conn_);
    tx.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
  }
  ~MigrationLock() {
    try {
      pqxx::nontransaction tx(conn_);
      tx.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
    } catch (const std::exception& e) {
      spdlog::warn("releasing the migration lock failed (released when the connection closes): {}", e.what());
    }
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  pqxx::connection& conn_;
};

}  // namespace

std::string MigrationRunner::Checksum(const std::string& sql) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : sql) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  char out[17];
  std::snprintf(out, sizeof(out), "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

MigrationRunner::MigrationRunner(std::vector<Migration> migrations) : migrations_(std::move(migrations)) {
  std::sort(migrations_.begin(), migrations_.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 0; i < migrations_.size(); ++i) {
    if (migrations_[i].version < 1 || (i > 0 && migrations_[i].version == migrations_[i - 1].version)) {
      throw MigrationError("migration versions must be positive and unique; found version " +
                           std::to_string(migrations_[i].version) + " twice or out of range");
    }
    if (migrations_[i].up_sql.empty() || migrations_[i].down_sql.empty()) {
      throw MigrationError("migration " + std::to_string(migrations_[i].version) +
                           " needs both up and down SQL");
    }
  }
}

const Migration* MigrationRunner::Find(int version) const noexcept {
  auto it = std::lower_bound(migrations_.begin(), migrations_.end(), version,
                             [](const Migration& m, int v) { return m.version < v; });
  return it != migrations_.end() && it->version == version ? &*it : nullptr;
}

std::vector<int> MigrationRunner::Up(pqxx::connection& conn) const {
  return Translated([&] {
    EnsureTable(conn);
    MigrationLock lock(conn);
    const auto applied = ReadApplied(conn);
    for (const auto& [version, row] : applied) {
      const auto* found = Find(version);
      if (found == nullptr) {
        throw MigrationError("the database has migration " + std::to_string(version) +
                             " which this build does not know: run a newer build or migrate down");
      }
      const auto& known = *found;
      if (row.checksum != Checksum(known.up_sql)) {
        throw MigrationError("migration " + std::to_string(version) + " (" + known.name +
                             ") was changed after it was applied; add a new migration instead");
      }
    }
    const int newest_applied = applied.empty() ? 0 : applied.rbegin()->first;
    for (const auto& migration : migrations_) {
      if (applied.count(migration.version) == 0 && migration.version < newest_applied) {
        throw MigrationError("migration " + std::to_string(migration.version) + " (" + migration.name +
                             ") is older than migration " + std::to_string(newest_applied) +
                             ", already applied: give it a number above the newest");
      }
    }
    std::vector<int> done;
    for (const auto& migration : migrations_) {
      if (applied.count(migration.version) != 0) continue;
      pqxx::work tx(conn);
      tx.exec0(migration.up_sql);
      tx.exec_params0("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                      migration.version, migration.name, Checksum(migration.up_sql));
      tx.commit();
      spdlog::info("migration {} ({}) applied", migration.version, migration.name);
      done.push_back(migration.version);
    }
    return done;
  });
}

std::vector<int> MigrationRunner::Down(pqxx::connection& conn, int count) const {
  return Translated([&] {
    EnsureTable(conn);
    MigrationLock lock(conn);
    const auto applied = ReadApplied(conn);
    std::vector<int> done;
    for (auto it = applied.rbegin(); it != applied.rend() && static_cast<int>(done.size()) < count; ++it) {
      const int version = it->first;
      const auto* found = Find(version);
      if (found == nullptr) {
        throw MigrationError("cannot revert migration " + std::to_string(version) +
                             ": unknown to this build");
      }
      const auto& migration = *found;
      pqxx::work tx(conn);
      tx.exec0(migration.down_sql);
      tx.exec_params0("DELETE FROM schema_migrations WHERE version = $1", version);
      tx.commit();
      spdlog::info("migration {} ({}) reverted", version, migration.name);
      done.push_back(version);
    }
    return done;
  });
}

std::vector<MigrationState> MigrationRunner::Status(pqxx::connection& conn) const {
  return Translated([&] {
    EnsureTable(conn);
    const auto applied = ReadApplied(conn);
    std::vector<MigrationState> states;
    for (const auto& migration : migrations_) {
      MigrationState state;
      state.version = migration.version;
      state.name = migration.name;
      if (auto it = applied.find(migration.version); it != applied.end()) {
        state.applied = true;
        state.applied_at = it->second.applied_at;
        state.checksum_matches = it->second.checksum == Checksum(migration.up_sql);
      }
      states.push_back(std::move(state));
    }
    return states;
  });
}

int MigrationRunner::CurrentVersion(pqxx::connection& conn) const {
  return Translated([&] {
    EnsureTable(conn);
    pqxx::read_transaction tx(conn);
    return tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
  });
}

}  // namespace saga::pg
