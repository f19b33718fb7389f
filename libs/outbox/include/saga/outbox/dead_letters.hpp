#pragma once
// Dead letters as operators handle them: ReliableConsumer records every message it gives up on
// in the service's `dead_letters` table (migration 8) before sending it to "<topic>.dlq", and the
// services' /api/dead-letters routes (libs/service/dead_letter_api.hpp) list, show, replay and
// discard them. Kafka's .dlq topics keep the same messages for tools that read topics.
//
// Replay goes through the outbox: the message (its key, payload and headers, without the dlq-*
// headers, plus replayed-from) is appended for its original topic in the same transaction that
// marks the dead letter replayed, so a replay is published exactly when its status says so. The
// message keeps its message id: a consumer's inbox still applies it at most once.
// Each function runs in the caller's transaction and throws pg errors (translated).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <pqxx/transaction_base>

#include "saga/core/paging.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "saga/kafka/message.hpp"

namespace saga::outbox {

enum class DeadLetterStatus { kPending, kReplayed, kDiscarded };

[[nodiscard]] std::string_view ToString(DeadLetterStatus status) noexcept;
[[nodiscard]] std::optional<DeadLetterStatus> ParseDeadLetterStatus(std::string_view text) noexcept;

struct DeadLetter {
  std::int64_t id = 0;
  /// The consumer (inbox name and group) that gave up on it.
  std::string consumer;
  /// Where it was consumed from, as named on the broker (with any topic prefix).
  std::string topic;
  std::string dlq_topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  /// From the message-id and type headers, when present.
  std::optional<std::string> message_id;
  std::optional<std::string> message_type;
  /// The payload bytes as received.
  std::string payload;
  kafka::Headers headers;
  std::string reason;
  int attempts = 0;
  core::Timestamp failed_at{};
  DeadLetterStatus status = DeadLetterStatus::kPending;
  std::optional<core::Timestamp> resolved_at;
  std::string resolved_by;
  std::string resolution;
};

/// True when `bytes` is valid UTF-8 without NUL: such payloads are stored (and shown) as text.
[[nodiscard]] bool IsText(std::string_view bytes) noexcept;

/// Records a dead letter as pending; a second record of the same consumer, topic, partition and
/// offset (a redelivery) is ignored. Returns the row id, or nullopt when it was already there.
std::optional<std::int64_t> RecordDeadLetter(pqxx::transaction_base& tx, const DeadLetter& letter);

struct DeadLetterFilter {
  std::optional<std::string> topic;
  std::optional<DeadLetterStatus> status;
};

/// Newest first.
[[nodiscard]] core::Page<DeadLetter> ListDeadLetters(pqxx::transaction_base& tx, const DeadLetterFilter& filter,
                                                     const core::PageRequest& page);
[[nodiscard]] std::optional<DeadLetter> FindDeadLetter(pqxx::transaction_base& tx, std::int64_t id);

struct DeadLetterRefusal {
  enum class Kind {
    kNotFound,
    kNotPending,  // already replayed or discarded (`status`)
    kNotText,     // replay: the payload is not text, the message cannot be what a consumer reads
  };
  Kind kind = Kind::kNotFound;
  DeadLetterStatus status = DeadLetterStatus::kPending;
};

/// Appends the pending dead letter `id` to the outbox for its original topic (without
/// `topic_prefix`, which the relay adds back) and marks it replayed by `actor`.
[[nodiscard]] core::Result<DeadLetter, DeadLetterRefusal> ReplayDeadLetter(pqxx::transaction_base& tx,
                                                                           std::int64_t id,
                                                                           const std::string& actor,
                                                                           std::string_view topic_prefix);
/// Marks the pending dead letter `id` discarded by `actor`, with `reason`.
[[nodiscard]] core::Result<DeadLetter, DeadLetterRefusal> DiscardDeadLetter(pqxx::transaction_base& tx,
                                                                            std::int64_t id,
                                                                            const std::string& actor,
                                                                            const std::string& reason);

}  // namespace saga::outbox
