#include "saga/pg/prepared.hpp"

#include <cstdint>
#include <cstdio>
#include <functional>

namespace saga::pg {

std::string StatementName(std::string_view sql) {
  const auto hash = static_cast<std::uint64_t>(std::hash<std::string_view>{}(sql));
  char name[18];
  std::snprintf(name, sizeof(name), "s%016llx", static_cast<unsigned long long>(hash));
  return name;
}

std::string Prepare(pqxx::transaction_base& tx, const std::string& sql) {
  auto name = StatementName(sql);
  tx.conn().prepare(name, sql);
  return name;
}

}  // namespace saga::pg
