#include "saga/service/idempotency.hpp"

#include <pqxx/pqxx>
#include <random>

#include "saga/core/errors.hpp"
#include "saga/crypto/digest.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/prepared.hpp"

namespace saga::service {
namespace {

// The same JSON with other white space or member order hashes the same.
std::string RequestHash(const http::Request& request) {
  auto parsed = nlohmann::json::parse(request.body(), nullptr, false);
  return crypto::Sha256Hex(parsed.is_discarded() ? request.body() : parsed.dump());
}

bool ValidKey(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  for (const char c : key) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

bool IsFinal(int status) {
  return (status >= 200 && status < 300) ||
         (status >= 400 && status < 500 && status != 409 && status != 412 && status != 429);
}

std::optional<std::string> Text(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return std::string(field.c_str());
}

}  // namespace

IdempotencyStore::IdempotencyStore(pg::ConnectionPool& pool, std::chrono::seconds ttl)
    : pool_(pool), ttl_(ttl) {}

IdempotencyClaim IdempotencyStore::Claim(const std::string& client_id, const std::string& operation,
                                         const std::string& key, const std::string& request_hash) {
  auto conn = pool_.Acquire();
  return pg::Translated([&] {
    // Autocommitted statements (no BEGIN and COMMIT round trips): the insert claims a new key,
    // or takes over one that has expired; a live key of someone else's is left alone and read
    // next. Should a purge delete that key in between (it had just expired), the claim starts
    // over and takes it.
    for (int attempt = 1;; ++attempt) {
      pqxx::nontransaction tx(*conn);
      const auto minted = core::Uuid::TimeOrdered().ToString();  // the new resource's id
      // The claim commits without waiting for the WAL flush (set for its statement's own
      // transaction only): it becomes durable with the first synchronous commit after it, at the
      // latest the handler's, which writes its WAL after the claim's, or the stored answer's. Lost
      // in a crash before either, the claim has nothing under it, and the retry claims the key
      // afresh. The answer itself (Complete) commits synchronously: once a client has it, a retry
      // must get it again.
      auto claimed = pg::Exec(
          tx,
          "WITH async_commit AS (SELECT set_config('synchronous_commit', 'off', true)) "
          "INSERT INTO idempotency_keys (client_id, operation, key, request_hash, resource_id) "
          "SELECT $1, $2, $3, $4, $5::uuid FROM async_commit "
          "ON CONFLICT (client_id, operation, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, "
          "  resource_id = EXCLUDED.resource_id, status_code = NULL, content_type = NULL, "
          "  location = NULL, etag = NULL, response_body = NULL, created_at = now(), completed_at = NULL "
          "WHERE idempotency_keys.created_at < now() - make_interval(secs => $6) "
          "RETURNING resource_id::text",
          client_id, operation, key, request_hash, minted, static_cast<double>(ttl_.count()));
      IdempotencyClaim claim;
      if (!claimed.empty()) {
        claim.resource_id = *core::Uuid::Parse(claimed[0][0].c_str());
        claim.fresh = true;
        return claim;
      }
      auto rows = pg::Exec(
          tx,
          "SELECT request_hash, resource_id::text, status_code, content_type, location, etag, response_body "
          "FROM idempotency_keys WHERE client_id = $1 AND operation = $2 AND key = $3",
          client_id, operation, key);
      if (rows.empty()) {
        if (attempt >= 3) throw core::InfraError("idempotency key kept vanishing while it was claimed", true);
        continue;  // purged between the two statements
      }
      const auto& row = rows[0];
      claim.resource_id = *core::Uuid::Parse(row[1].c_str());
      claim.body_mismatch = row[0].as<std::string>() != request_hash;
      if (!row[2].is_null()) {
        claim.stored = StoredResponse{row[2].as<int>(), Text(row[3]).value_or(""), Text(row[4]).value_or(""),
                                      Text(row[5]).value_or(""), Text(row[6]).value_or("")};
      }
      return claim;
    }
  });
}

void IdempotencyStore::Complete(const std::string& client_id, const std::string& operation,
                                const std::string& key, const StoredResponse& response) {
  auto conn = pool_.Acquire();
  pg::Translated([&] {
    pqxx::nontransaction tx(*conn);  // one statement, committed on its own
    pg::Exec0(tx,
              "UPDATE idempotency_keys SET status_code = $4, content_type = $5, location = $6, etag = $7, "
              "response_body = $8, completed_at = now() "
              "WHERE client_id = $1 AND operation = $2 AND key = $3 AND status_code IS NULL",
              client_id, operation, key, response.status, response.content_type, response.location,
              response.etag, response.body);
  });
}

int IdempotencyStore::PurgeExpired() {
  auto conn = pool_.Acquire();
  return pg::Translated([&] {
    pqxx::work tx(*conn);
    auto result =
        pg::Exec0(tx, "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1)",
                  static_cast<double>(ttl_.count()));
    tx.commit();
    return static_cast<int>(result.affected_rows());
  });
}

http::Response Idempotent(
    IdempotencyStore& store, const http::Request& request, const http::RequestContext& context,
    const std::string& operation,
    const std::function<http::Response(const core::Uuid& resource_id, bool new_id)>& handle) {
  const auto header = request["Idempotency-Key"];
  if (header.empty()) return handle(core::Uuid::TimeOrdered(), true);
  const std::string key(header.data(), header.size());
  if (!ValidKey(key)) {
    throw http::ProblemError(http::Status::bad_request, "Invalid Idempotency-Key",
                             "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces");
  }
  // Purge now and then, so expired keys do not pile up.
  thread_local std::minstd_rand purge_dice(std::random_device{}());
  if (purge_dice() % 256 == 0) (void)store.PurgeExpired();

  const auto claim = store.Claim(context.client_id, operation, key, RequestHash(request));
  if (claim.body_mismatch) {
    throw http::ProblemError(http::Status::unprocessable_entity, "Idempotency-Key reused",
                             "this Idempotency-Key was used with a different request body",
                             {{"type", "urn:saga:problem:idempotency-key-reused"}});
  }
  if (claim.stored) {
    http::Response replay{static_cast<http::Status>(claim.stored->status), 11};
    if (!claim.stored->content_type.empty())
      replay.set(http::beast_http::field::content_type, claim.stored->content_type);
    if (!claim.stored->location.empty())
      replay.set(http::beast_http::field::location, claim.stored->location);
    if (!claim.stored->etag.empty()) replay.set(http::beast_http::field::etag, claim.stored->etag);
    replay.set("Idempotent-Replayed", "true");
    replay.body() = claim.stored->body;
    replay.prepare_payload();
    return replay;
  }
  http::Response response;
  try {
    response = handle(claim.resource_id, claim.fresh);
  } catch (const http::ProblemError& e) {
    response = e.ToResponse();
  }
  const int status = static_cast<int>(response.result_int());
  if (IsFinal(status)) {
    auto field = [&response](http::beast_http::field f) {
      const auto value = response[f];
      return std::string(value.data(), value.size());
    };
    store.Complete(context.client_id, operation, key,
                   StoredResponse{status, field(http::beast_http::field::content_type),
                                  field(http::beast_http::field::location),
                                  field(http::beast_http::field::etag), response.body()});
  }
  return response;
}

}  // namespace saga::service
