#pragma once
// Internal: building librdkafka handles. Not part of the public headers.

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "saga/kafka/kafka_config.hpp"

namespace saga::kafka::internal {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const noexcept { rd_kafka_conf_destroy(conf); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const noexcept { rd_kafka_destroy(rk); }
};
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;

/// Sets one property; throws core::ConfigError naming it when librdkafka refuses it.
void Set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value);

/// A conf with bootstrap servers, client id, logging routed to spdlog, and config.extra applied.
ConfPtr BaseConf(const KafkaConfig& config);

/// Creates the handle (takes ownership of conf on success). Throws KafkaError.
HandlePtr MakeHandle(rd_kafka_type_t type, ConfPtr conf);

struct EventDeleter {
  void operator()(rd_kafka_event_t* event) const noexcept { rd_kafka_event_destroy(event); }
};
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;

/// One Admin API request: `submit(options, queue)` enqueues it (e.g. rd_kafka_CreateAcls) with
/// options whose request and operation timeouts are `timeout`; returns its result event. Throws
/// KafkaError naming `what` on a timeout or a request-level error (per-item results are the
/// caller's to check).
EventPtr AdminRequest(rd_kafka_t* rk, rd_kafka_admin_op_t op, std::chrono::milliseconds timeout,
                      const std::string& what,
                      const std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>& submit);

}  // namespace saga::kafka::internal
