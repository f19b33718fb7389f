#include "saga/testing/schema.hpp"

#include <pqxx/pqxx>

namespace saga::testing {

std::string SchemaSnapshot(pqxx::connection& conn) {
  pqxx::read_transaction tx(conn);
  std::string out;
  auto append = [&](const std::string& title, const std::string& sql) {
    out += "## " + title + "\n";
    for (const auto& row : tx.exec(sql)) {
      for (const auto& field : row) out += std::string(field.is_null() ? "NULL" : field.c_str()) + " | ";
      out += "\n";
    }
  };
  append(
      "columns",
      "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') "
      "FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations' "
      "ORDER BY table_name, column_name");
  append("constraints",
         "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
         "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' "
         "AND c.conrelid::regclass::text <> 'schema_migrations' ORDER BY 1, 2");
  append("indexes",
         "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
         "AND tablename <> 'schema_migrations' ORDER BY 1, 2");
  append(
      "triggers",
      "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal "
      "ORDER BY 1, 2");
  append("functions",
         "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = "
         "p.pronamespace "
         "WHERE n.nspname = 'public' ORDER BY 1");
  return out;
}

}  // namespace saga::testing
