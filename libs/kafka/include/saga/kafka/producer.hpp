#pragma once
// Producer: librdkafka idempotent producer (enable.idempotence=true, acks=all), so a retried
// send never duplicates or reorders a message within a partition.
//
// Metrics (docs/observability.md): saga_kafka_messages_produced_total{topic},
// saga_kafka_produce_errors_total{topic}, saga_kafka_delivery_latency_seconds{topic}.
//
// Thread-safety: Produce() may be called from any thread. A background thread serves delivery
// reports. Lifecycle: constructed ready; the destructor flushes for up to `flush_timeout` and
// fails what is still pending with KafkaError.

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <thread>

#include "saga/kafka/kafka_config.hpp"
#include "saga/kafka/message.hpp"
#include "saga/observability/metrics.hpp"

namespace saga::kafka {

class Producer {
 public:
  explicit Producer(const KafkaConfig& config,
                    observability::Metrics& metrics = observability::DefaultMetrics());
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  /// Enqueues `message`. The future yields the DeliveryReport once the broker acknowledged it
  /// (all in-sync replicas), or throws KafkaError when delivery failed for good (after
  /// librdkafka's own retries, within delivery_timeout). Throws KafkaError at once when the
  /// message cannot be enqueued (unknown topic, local queue full: retryable).
  [[nodiscard]] std::future<DeliveryReport> Produce(const OutgoingMessage& message);

  /// Sends every enqueued message now (librdkafka does not linger while a flush waits) and
  /// waits until each is delivered or failed, up to `timeout`. False when some were still
  /// outstanding at the timeout (their futures say which, once they end).
  [[nodiscard]] bool Flush(std::chrono::milliseconds timeout);

  /// The producer's fatal error, if it had one (e.g. the idempotent producer refused by the
  /// broker's authorizer, or a sequence the broker lost): such a producer never sends again, so
  /// the service must be restarted. nullopt while it is healthy.
  [[nodiscard]] std::optional<std::string> FatalError() const;
  /// Tests only: raises a fatal error the way librdkafka does (rd_kafka_test_fatal_error).
  void InjectFatalErrorForTest(const std::string& reason);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace saga::kafka
