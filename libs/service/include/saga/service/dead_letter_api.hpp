#pragma once
// The dead-letter routes every service serves (documented in libs/service/openapi/common.json),
// over the service's dead_letters table (libs/outbox/dead_letters.hpp). Admin and service roles
// only (StandardRoutePolicies); the POSTs go to the audit trail through the Authorize middleware.
//   GET  /api/dead-letters?topic=&status=&limit=&offset=  newest first; topic matches the
//        original or the .dlq topic
//   GET  /api/dead-letters/{id}                           with payload and headers
//   POST /api/dead-letters/{id}/replay                    202: back on its topic through the outbox
//   POST /api/dead-letters/{id}/discard  {"reason": ...}  200
// Both POSTs answer 409 when the dead letter was already replayed or discarded, and replay 422
// when its payload is not text (nothing a consumer could read: discard it).

#include <string>
#include <vector>

#include "saga/http/router.hpp"
#include "saga/outbox/outbox_relay.hpp"
#include "saga/pg/pool.hpp"
#include "saga/service/security.hpp"

namespace saga::service {

/// `relay` (may be null) is woken after a replay commits; `topic_prefix` (kafka.topic_prefix) is
/// taken off a dead letter's topic before it goes back to the outbox, which adds it again.
void AddDeadLetterRoutes(http::Router& router, pg::ConnectionPool& pool, outbox::OutboxRelay* relay,
                         std::string topic_prefix);

/// Their policies (part of StandardRoutePolicies).
[[nodiscard]] std::vector<RoutePolicy> DeadLetterRoutePolicies();

}  // namespace saga::service
