#pragma once
// The end-to-end load generator: places orders through the order service's REST API and takes
// each order's end from its terminal event on Kafka (saga.order.events), never from polling the
// API.
//
// Open loop (RunOpen): orders are due at a fixed rate (order i at start + i / rate) whatever the
// system does; a pool of keep-alive connections sends them, and every latency is measured from
// the order's INTENDED send time, so a stalled system is charged for the orders queued behind
// the stall (no coordinated omission). Closed loop (RunClosed): N clients, each placing one
// order and waiting for its end before the next: the throughput a system sustains with N in
// flight. Each phase has a warm-up whose orders are not measured, a measurement window, and a
// drain that waits for the measured orders to end (those that do not within the drain timeout
// are reported as unfinished).
//
// Set-up (Prepare): bearer tokens minted with the development HS256 key (one customer identity
// per simulated customer, one admin), products of its own created through the inventory API
// with enough stock (plus one without stock for the stock-failure share of the mix), and a Kafka
// consumer in a fresh group positioned at the end of the topic.
//
// Lifecycle: construct, Prepare(), run phases one after another, Finish() (the invariant check).
// Not thread-safe: one caller.

#include <sys/types.h>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/report.hpp"
#include "saga/kafka/kafka_config.hpp"

namespace saga::bench {

/// Where the system under test is, and how to reach it.
struct Target {
  std::string order_url = "https://127.0.0.1:8081";      // http(s)://host:port
  std::string inventory_url = "https://127.0.0.1:8082";  // http(s)://host:port
  std::string ca_file;                                   // PEM CA for https ("" = the system store)
  std::string auth_secret_file;  // the HS256 development key the services verify tokens with
  kafka::KafkaConfig kafka;      // the consumer of the terminal events (admin credential)
  std::string topic_prefix;      // kafka.topic_prefix of the services ("" normally)
  // The three databases for the invariant check; all empty: no check (reported as skipped).
  std::string order_dsn;
  std::string inventory_dsn;
  std::string payment_dsn;
  /// Processes whose CPU time is reported per saga (name -> pid); the generator adds itself.
  std::map<std::string, pid_t> processes;
};

struct Options {
  Mix mix;
  int connections = 32;  // open loop: parallel keep-alive connections to the order service
  int customers = 64;    // simulated customers (each its own identity and rate-limit bucket)
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::seconds drain_timeout{30};
  std::uint64_t seed = 1;
  std::int64_t stock_per_product = 100'000'000;
};

class LoadGenerator {
 public:
  /// Throws std::invalid_argument for a malformed URL or mix; core::ConfigError for an unreadable
  /// key or CA file.
  LoadGenerator(Target target, Options options);
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  /// Creates the products and starts the consumer. Throws std::runtime_error saying what failed
  /// (a service that does not answer, a refused token, a consumer that gets no partitions).
  void Prepare();

  /// One open-loop phase at `spec.rate` orders per second.
  PhaseResult RunOpen(const PhaseSpec& spec);
  /// One closed-loop phase with `spec.clients` clients.
  PhaseResult RunClosed(const PhaseSpec& spec);

  /// Waits until nothing is pending (up to the drain timeout) and runs the invariant checker.
  InvariantVerdict Finish();

  /// The products the generator created (ids).
  [[nodiscard]] const std::vector<std::string>& Products() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace saga::bench
