#pragma once
// Internal: building librdkafka handles. Not part of the public headers.

#include <librdkafka/rdkafka.h>

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

}  // namespace saga::kafka::internal
