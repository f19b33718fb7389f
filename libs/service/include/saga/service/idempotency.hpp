#pragma once
// Idempotency-Key support for POST requests that create something (orders, payments).
//
// The first request with a key claims it in the idempotency_keys table (migration 0003) and
// is given a resource id; the handler creates its resource under that id, and the answer is
// stored. A retry with the same key and the same body gets the stored answer again (header
// Idempotent-Replayed: true) and creates nothing. The same key with another body is a 422.
// A retry that arrives while the first attempt has no stored answer yet (still running, or cut
// short by a crash or a 5xx) runs the handler again with the same resource id: handlers must
// therefore be idempotent by resource id (create-if-absent), and then nothing is doubled.
//
// Keys are scoped by client identity (RequestContext::client_id) and operation, and live for
// `ttl`; expired keys are purged as new ones are claimed.
//
// Thread-safety: the store may be shared; each call takes its own pooled connection.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "saga/core/uuid.hpp"
#include "saga/http/types.hpp"
#include "saga/pg/pool.hpp"

namespace saga::service {

struct StoredResponse {
  int status = 0;
  std::string content_type;
  std::string location;
  std::string etag;
  std::string body;
};

struct IdempotencyClaim {
  core::Uuid resource_id;
  /// This call claimed the key (or took over an expired one): the resource id is new, so no
  /// earlier attempt can have created anything under it.
  bool fresh = false;
  /// The first answer, when there is one.
  std::optional<StoredResponse> stored;
  /// The key was first used with another request body.
  bool body_mismatch = false;
};

class IdempotencyStore {
 public:
  IdempotencyStore(pg::ConnectionPool& pool, std::chrono::seconds ttl);

  /// Claims (client, operation, key) for a request whose body hashes to `request_hash`, or
  /// returns what an earlier claim holds. Throws pg errors (InfraError).
  [[nodiscard]] IdempotencyClaim Claim(const std::string& client_id, const std::string& operation,
                                       const std::string& key, const std::string& request_hash);
  /// Stores the answer of a claimed key (first answer wins).
  void Complete(const std::string& client_id, const std::string& operation, const std::string& key,
                const StoredResponse& response);
  /// Deletes keys older than the ttl; returns how many.
  int PurgeExpired();

 private:
  pg::ConnectionPool& pool_;
  std::chrono::seconds ttl_;
};

/// Runs `handle` under the request's Idempotency-Key, if it has one (else with a new random
/// id). `handle` is told whether the id is new (a new claim, or no key: nothing can exist under
/// it, so a create-if-absent handler may skip its look for an earlier attempt's resource; it must
/// still handle a conflict) or an earlier attempt's (a retry without a stored answer). Answers 400 for a
/// malformed key (1..255 printable ASCII characters), 422 for a key reused with another body. Answers that
/// are final (2xx, and 4xx other than 409, 412 and 429) are stored; others leave the key open so a retry runs
/// again.
[[nodiscard]] http::Response Idempotent(
    IdempotencyStore& store, const http::Request& request, const http::RequestContext& context,
    const std::string& operation,
    const std::function<http::Response(const core::Uuid& resource_id, bool new_id)>& handle);

}  // namespace saga::service
