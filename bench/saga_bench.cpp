// saga_bench: the end-to-end load generator (issue 9). Places orders through the order service
// and measures each saga from its intended send time to its terminal event on Kafka; a sweep of
// open-loop rates and/or closed-loop client counts; then the invariant checker. Writes a table
// (stdout), JSON and an SVG chart. `./saga bench` runs it against `./saga up` with the right
// settings; see bench/README.md.
//
// Exit codes: 0 done and the invariants hold; 1 the invariants are violated or could not be
// checked, or (--strict) a request failed or a saga did not end; 2 bad usage or set-up failure.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "bench/load_generator.hpp"
#include "saga/config/config_source.hpp"
#include "saga/observability/logging.hpp"

namespace {

std::vector<double> ParseList(const std::string& text, const std::string& option) {
  std::vector<double> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      std::size_t used = 0;
      const double v = std::stod(item, &used);
      if (used != item.size() || !(v > 0)) throw std::invalid_argument(item);
      out.push_back(v);
    } catch (const std::exception&) {
      throw CLI::ValidationError(option, "'" + item + "' is not a positive number (a comma-separated list)");
    }
  }
  return out;
}

std::string MachineLine() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " CPUs";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"saga_bench: end-to-end saga latency and throughput (open and closed loop)"};
  saga::bench::Target target;
  saga::bench::Options options;
  std::string rates_text, clients_text, json_path, svg_path, title = "order saga: end-to-end latency";
  std::vector<std::string> process_args;
  int warmup_s = 5, duration_s = 20, drain_s = 30;
  double saturation_p99_ms = 1000;
  bool strict = false, stop_at_saturation = true;

  app.add_option("--order-url", target.order_url, "order service base URL")->capture_default_str();
  app.add_option("--inventory-url", target.inventory_url, "inventory service base URL")
      ->capture_default_str();
  app.add_option("--ca-file", target.ca_file, "CA (PEM) the services' certificate chains to")
      ->envname("SAGA_TLS_CA_FILE");
  app.add_option("--auth-secret-file", target.auth_secret_file, "HS256 development key the services verify")
      ->envname("SAGA_AUTH_SECRET_FILE");
  app.add_option("--topic-prefix", target.topic_prefix, "kafka.topic_prefix of the services");
  app.add_option("--order-dsn", target.order_dsn, "order_db DSN (invariant check)")
      ->envname("SAGA_ORDER_PG_DSN");
  app.add_option("--inventory-dsn", target.inventory_dsn, "inventory_db DSN")
      ->envname("SAGA_INVENTORY_PG_DSN");
  app.add_option("--payment-dsn", target.payment_dsn, "payment_db DSN")->envname("SAGA_PAYMENT_PG_DSN");
  app.add_option("--process", process_args, "NAME=PID whose CPU time is reported per saga (repeatable)");

  app.add_option("--rates", rates_text, "open loop: comma-separated arrival rates (orders/s), in order");
  app.add_option("--clients", clients_text, "closed loop: comma-separated client counts, after the rates");
  app.add_option("--warmup", warmup_s, "seconds of warm-up per phase (not measured)")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  app.add_option("--duration", duration_s, "seconds measured per phase")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--drain-timeout", drain_s, "seconds to wait for the sagas of a phase to end")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--saturation-p99-ms", saturation_p99_ms,
                 "a rate whose p99 exceeds this (or whose sagas/s fall 10% short, or leave sagas unfinished) "
                 "is saturated")
      ->capture_default_str();
  app.add_flag("!--no-stop-at-saturation", stop_at_saturation, "run every rate even past saturation");

  auto& mix = options.mix;
  app.add_option("--fail-stock", mix.fail_stock, "share of orders with a line out of stock")
      ->capture_default_str();
  app.add_option("--decline", mix.decline, "share of orders whose payment is declined")
      ->capture_default_str();
  app.add_option("--cancel", mix.cancel, "share of orders cancelled right after the 202")
      ->capture_default_str();
  app.add_option("--items-min", mix.items_min, "distinct products per order, at least")
      ->capture_default_str();
  app.add_option("--items-max", mix.items_max, "distinct products per order, at most")->capture_default_str();
  app.add_option("--quantity-max", mix.quantity_max, "units per line, at most")->capture_default_str();
  app.add_option("--products", mix.products, "distinct products (1 = one hot product)")
      ->capture_default_str();
  app.add_option("--connections", options.connections, "open loop: parallel keep-alive connections")
      ->capture_default_str();
  app.add_option("--customers", options.customers, "simulated customers")->capture_default_str();
  app.add_option("--seed", options.seed, "random seed (mix, customers)")->capture_default_str();

  app.add_option("--json", json_path, "write the report as JSON here");
  app.add_option("--svg", svg_path, "write the latency/throughput chart (SVG) here");
  app.add_option("--title", title, "chart title")->capture_default_str();
  app.add_flag("--strict", strict, "exit 1 also when a request failed or a saga did not end");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints the message (or the help)
    return code == 0 ? 0 : 2;
  }

  std::vector<double> rates, clients;
  try {
    if (!rates_text.empty()) rates = ParseList(rates_text, "--rates");
    if (!clients_text.empty()) clients = ParseList(clients_text, "--clients");
    if (rates.empty() && clients.empty())
      throw CLI::ValidationError("--rates/--clients", "give at least one");
    for (const auto& arg : process_args) {
      const auto eq = arg.find('=');
      int pid = 0;
      try {
        pid = std::stoi(arg.substr(eq + 1));
      } catch (const std::exception&) {
        pid = 0;
      }
      if (eq == std::string::npos || eq == 0 || pid <= 0)
        throw CLI::ValidationError("--process", "'" + arg + "' is not NAME=PID");
      target.processes[arg.substr(0, eq)] = pid;
    }
  } catch (const CLI::Error& e) {
    (void)app.exit(e);
    return 2;
  }
  options.drain_timeout = std::chrono::seconds(drain_s);
  saga::observability::InitLogging({"saga_bench", "warn", false});

  saga::bench::RunReport report;
  try {
    target.kafka = saga::kafka::KafkaConfig::FromSource(saga::config::ConfigSource::FromMap({}));
    target.kafka.Validate();
    report.settings = {{"orderUrl", target.order_url},
                       {"inventoryUrl", target.inventory_url},
                       {"kafkaBrokers", target.kafka.brokers},
                       {"topicPrefix", target.topic_prefix},
                       {"mix",
                        {{"failStock", mix.fail_stock},
                         {"decline", mix.decline},
                         {"cancel", mix.cancel},
                         {"itemsMin", mix.items_min},
                         {"itemsMax", mix.items_max},
                         {"quantityMax", mix.quantity_max},
                         {"products", mix.products}}},
                       {"rates", rates},
                       {"clients", clients},
                       {"warmupSeconds", warmup_s},
                       {"durationSeconds", duration_s},
                       {"connections", options.connections},
                       {"customers", options.customers},
                       {"seed", options.seed},
                       {"machine", MachineLine()}};
    saga::bench::LoadGenerator generator(target, options);
    std::fprintf(stderr, "saga_bench: creating %d products and the consumer ...\n", mix.products);
    generator.Prepare();
    saga::bench::PhaseSpec spec;
    spec.warmup = std::chrono::seconds(warmup_s);
    spec.duration = std::chrono::seconds(duration_s);
    const auto saturated = [&](const saga::bench::PhaseResult& r) {
      return r.unfinished > 0 || r.end_to_end.p99_ms > saturation_p99_ms ||
             (r.mode == "open" && r.sagas_per_s < 0.9 * r.offered_rate);
    };
    for (double rate : rates) {
      spec.rate = rate;
      std::fprintf(stderr, "saga_bench: open loop at %.0f orders/s (%d s warm-up, %d s measured) ...\n", rate,
                   warmup_s, duration_s);
      report.phases.push_back(generator.RunOpen(spec));
      const auto& r = report.phases.back();
      std::fprintf(stderr, "  -> %.1f sagas/s, p50 %.1f ms, p99 %.1f ms, %llu errors, %llu unfinished\n",
                   r.sagas_per_s, r.end_to_end.p50_ms, r.end_to_end.p99_ms,
                   static_cast<unsigned long long>(r.ErrorCount() - r.unfinished),
                   static_cast<unsigned long long>(r.unfinished));
      if (stop_at_saturation && saturated(r)) {
        std::fprintf(stderr, "saga_bench: saturated at %.0f orders/s; the sweep stops here\n", rate);
        break;
      }
    }
    for (double n : clients) {
      spec.clients = static_cast<int>(n);
      std::fprintf(stderr, "saga_bench: closed loop with %d clients ...\n", spec.clients);
      report.phases.push_back(generator.RunClosed(spec));
      const auto& r = report.phases.back();
      std::fprintf(stderr, "  -> %.1f sagas/s, p50 %.1f ms, p99 %.1f ms\n", r.sagas_per_s,
                   r.end_to_end.p50_ms, r.end_to_end.p99_ms);
    }
    std::fprintf(stderr, "saga_bench: checking the invariants ...\n");
    report.invariants = generator.Finish();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "saga_bench: %s\n", e.what());
    return 2;
  }

  std::cout << saga::bench::FormatTable(report) << std::flush;
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << saga::bench::ToJson(report).dump(2) << '\n';
    if (!out) {
      std::fprintf(stderr, "saga_bench: cannot write %s\n", json_path.c_str());
      return 2;
    }
  }
  if (!svg_path.empty()) {
    std::ofstream out(svg_path);
    out << saga::bench::RenderSvg(report, title);
    if (!out) {
      std::fprintf(stderr, "saga_bench: cannot write %s\n", svg_path.c_str());
      return 2;
    }
  }
  const auto& inv = report.invariants;
  if (inv.checked && (!inv.error.empty() || !inv.ok)) return 1;
  if (strict) {
    for (const auto& p : report.phases)
      if (p.ErrorCount() > 0) return 1;
  }
  return 0;
}
