#include "saga/pg/errors.hpp"

#include <pqxx/except>

namespace saga::pg {
namespace {

// pqxx 6.4 does not expose the constraint name; the server message carries it in quotes:
//   duplicate key value violates unique constraint "products_sku_key"
std::string ConstraintFromMessage(const std::string& message) {
  const std::string marker = "constraint \"";
  auto start = message.find(marker);
  if (start == std::string::npos) return {};
  start += marker.size();
  auto end = message.find('"', start);
  if (end == std::string::npos) return {};
  return message.substr(start, end - start);
}

std::string FirstLine(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

}  // namespace

void RethrowTranslated() {
  try {
    throw;
  } catch (const PgError&) {
    throw;
  } catch (const pqxx::broken_connection& e) {
    throw ConnectionError(std::string("postgres connection failed: ") + FirstLine(e.what()));
  } catch (const pqxx::in_doubt_error& e) {
    throw TransientError(std::string("postgres commit outcome unknown: ") + e.what(), "08007");
  } catch (const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
    const std::string message = FirstLine(e.what());
    if (state == "40001" || state == "40P01") throw TransientError(message, state);
    if (state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" || state == "57P03") {
      throw ConnectionError(message);
    }
    if (state.rfind("23", 0) == 0) throw ConstraintViolation(message, state, ConstraintFromMessage(message));
    throw QueryError(message, state);
  } catch (const pqxx::usage_error& e) {
    throw QueryError(std::string("postgres usage error: ") + e.what(), "");
  } catch (const pqxx::failure& e) {
    throw ConnectionError(std::string("postgres failure: ") + FirstLine(e.what()));
  }
}

}  // namespace saga::pg
