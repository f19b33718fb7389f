#include "saga/service/dead_letter_api.hpp"

#include <charconv>
#include <optional>

#include <nlohmann/json.hpp>

#include "saga/core/encoding.hpp"
#include "saga/http/json_body.hpp"
#include "saga/outbox/dead_letters.hpp"
#include "saga/pg/transaction_scope.hpp"

namespace saga::service {
namespace {

using outbox::DeadLetter;
using outbox::DeadLetterRefusal;

// DeadLetterDto; `detail` adds the payload and the headers.
nlohmann::json ToDto(const DeadLetter& letter, bool detail) {
  nlohmann::json dto{{"id", letter.id},
                     {"consumer", letter.consumer},
                     {"topic", letter.dlq_topic},
                     {"originalTopic", letter.topic},
                     {"partition", letter.partition},
                     {"offset", letter.offset},
                     {"reason", letter.reason},
                     {"attempts", letter.attempts},
                     {"failedAt", core::ToRfc3339(letter.failed_at)},
                     {"status", outbox::ToString(letter.status)}};
  if (letter.key) dto["key"] = *letter.key;
  if (letter.message_id) dto["messageId"] = *letter.message_id;
  if (letter.message_type) dto["messageType"] = *letter.message_type;
  if (letter.resolved_at) {
    dto["resolvedAt"] = core::ToRfc3339(*letter.resolved_at);
    dto["resolvedBy"] = letter.resolved_by;
    dto["resolution"] = letter.resolution;
  }
  if (detail) {
    if (outbox::IsText(letter.payload)) {
      dto["payload"] = letter.payload;
    } else {
      dto["payloadBase64"] = core::Base64UrlEncode(letter.payload);
    }
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& [name, value] : letter.headers) headers[name] = value;
    dto["headers"] = std::move(headers);
  }
  return dto;
}

std::int64_t PathNumber(const http::RequestContext& context) {
  const auto it = context.path_params.find("id");
  std::int64_t id = 0;
  if (it != context.path_params.end()) {
    const auto* end = it->second.data() + it->second.size();
    const auto [ptr, ec] = std::from_chars(it->second.data(), end, id);
    if (ec == std::errc() && ptr == end && id > 0) return id;
  }
  http::ThrowIfInvalid({{"id", "must be a dead letter id (a positive integer)"}});
  return 0;
}

[[noreturn]] void ThrowRefusal(const DeadLetterRefusal& refusal, std::int64_t id) {
  switch (refusal.kind) {
    case DeadLetterRefusal::Kind::kNotFound:
      throw http::ProblemError(http::Status::not_found, "Not Found",
                               "dead letter " + std::to_string(id) + " does not exist");
    case DeadLetterRefusal::Kind::kNotPending:
      throw http::ProblemError(http::Status::conflict, "Conflict",
                               "dead letter " + std::to_string(id) + " was already " +
                                   std::string(outbox::ToString(refusal.status)),
                               {{"type", "urn:saga:problem:dead-letter-resolved"},
                                {"currentStatus", outbox::ToString(refusal.status)}});
    case DeadLetterRefusal::Kind::kNotText:
      throw http::ProblemError(http::Status::unprocessable_entity, "Unprocessable Entity",
                               "dead letter " + std::to_string(id) +
                                   " has a payload that is not text: no consumer can read it; discard it",
                               {{"type", "urn:saga:problem:dead-letter-unreadable"}});
  }
  throw http::ProblemError(http::Status::not_found, "Not Found", "no such dead letter");
}

std::string ActorOf(const http::RequestContext& context) {
  return context.caller.Authenticated() ? context.caller.subject : std::string("anonymous");
}

http::Response List(pg::ConnectionPool& pool, const http::RequestContext& context) {
  std::vector<http::FieldError> errors;
  http::QueryReader query(context, errors);
  outbox::DeadLetterFilter filter;
  filter.topic = query.String("topic", 249);
  if (auto status = query.String("status", 16)) {
    filter.status = outbox::ParseDeadLetterStatus(*status);
    if (!filter.status) query.Error("status", "must be one of pending, replayed, discarded");
  }
  const auto page = query.Page();
  query.RejectUnknown();
  http::ThrowIfInvalid(errors);
  const auto letters = pg::TransactionScope(pool).Run(
      [&](pqxx::transaction_base& tx) { return outbox::ListDeadLetters(tx, filter, page); });
  nlohmann::json items = nlohmann::json::array();
  for (const auto& letter : letters.items) items.push_back(ToDto(letter, false));
  return http::JsonResponse(http::Status::ok, http::PageJson(std::move(items), letters.total, page));
}

http::Response Get(pg::ConnectionPool& pool, const http::RequestContext& context) {
  const auto id = PathNumber(context);
  http::RejectQuery(context);
  const auto letter = pg::TransactionScope(pool).Run(
      [&](pqxx::transaction_base& tx) { return outbox::FindDeadLetter(tx, id); });
  if (!letter) ThrowRefusal({DeadLetterRefusal::Kind::kNotFound, {}}, id);
  return http::JsonResponse(http::Status::ok, ToDto(*letter, true));
}

http::Response Resolve(pg::ConnectionPool& pool, outbox::OutboxRelay* relay, const std::string& topic_prefix,
                       const http::Request& request, const http::RequestContext& context, bool replay) {
  const auto id = PathNumber(context);
  http::RejectQuery(context);
  const auto body = http::ParseJsonObject(request, true);
  std::vector<http::FieldError> errors;
  http::JsonReader reader(body, "", errors);
  std::string reason;
  if (!replay) reason = reader.String("reason", 1, 500, false).value_or("");
  reader.RejectUnknown();
  http::ThrowIfInvalid(errors);
  const auto actor = ActorOf(context);
  auto done = pg::TransactionScope(pool).Run([&](pqxx::transaction_base& tx) {
    return replay ? outbox::ReplayDeadLetter(tx, id, actor, topic_prefix)
                  : outbox::DiscardDeadLetter(tx, id, actor, reason);
  });
  if (!done) ThrowRefusal(done.Error(), id);
  if (replay && relay != nullptr) relay->Notify();
  return http::JsonResponse(replay ? http::Status::accepted : http::Status::ok, ToDto(done.Value(), true));
}

}  // namespace

void AddDeadLetterRoutes(http::Router& router, pg::ConnectionPool& pool, outbox::OutboxRelay* relay,
                         std::string topic_prefix) {
  using http::Verb;
  router.Add(Verb::get, "/api/dead-letters",
             [&pool](const http::Request&, const http::RequestContext& context) { return List(pool, context); });
  router.Add(Verb::get, "/api/dead-letters/{id}",
             [&pool](const http::Request&, const http::RequestContext& context) { return Get(pool, context); });
  router.Add(Verb::post, "/api/dead-letters/{id}/replay",
             [&pool, relay, topic_prefix](const http::Request& request, const http::RequestContext& context) {
               return Resolve(pool, relay, topic_prefix, request, context, true);
             });
  router.Add(Verb::post, "/api/dead-letters/{id}/discard",
             [&pool, relay, topic_prefix](const http::Request& request, const http::RequestContext& context) {
               return Resolve(pool, relay, topic_prefix, request, context, false);
             });
}

std::vector<RoutePolicy> DeadLetterRoutePolicies() {
  using http::Verb;
  const auto operators = Role::kAdmin | Role::kService;
  return {{Verb::get, "/api/dead-letters", operators},
          {Verb::get, "/api/dead-letters/{id}", operators},
          {Verb::post, "/api/dead-letters/{id}/replay", operators},
          {Verb::post, "/api/dead-letters/{id}/discard", operators}};
}

}  // namespace saga::service
