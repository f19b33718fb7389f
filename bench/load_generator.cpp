// <utility> first: Boost 1.74 Asio needs it before any Asio header under g++ 12 in C++20.
#include <utility>

#include "bench/load_generator.hpp"

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "bench/process_cpu.hpp"
#include "bench/saga_tracker.hpp"
#include "saga/auth/jwt.hpp"
#include "saga/contracts/envelope.hpp"
#include "saga/contracts/message_types.hpp"
#include "saga/core/secret_file.hpp"
#include "saga/core/time.hpp"
#include "saga/core/uuid.hpp"
#include "saga/http/client.hpp"
#include "saga/invariants/checker.hpp"
#include "saga/kafka/consumer.hpp"

namespace saga::bench {

namespace {

using Clock = std::chrono::steady_clock;

struct Url {
  bool https = false;
  std::string host;
  std::uint16_t port = 0;
};

Url ParseUrl(const std::string& url, const std::string& option) {
  const auto bad = [&] {
    return std::invalid_argument(option + " must be http(s)://HOST:PORT (numeric host or localhost), not '" +
                                 url + "'");
  };
  Url out;
  out.https = url.rfind("https://", 0) == 0;
  if (!out.https && url.rfind("http://", 0) != 0) throw bad();
  std::string rest = url.substr(out.https ? 8 : 7);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0) throw bad();
  out.host = rest.substr(0, colon);
  unsigned port = 0;
  const auto text = rest.substr(colon + 1);
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || ptr != text.data() + text.size() || port == 0 || port > 65535) throw bad();
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

std::uint64_t Micros(Clock::duration d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return us < 0 ? 0 : static_cast<std::uint64_t>(us);
}

// What one order is: its body, and whether a cancellation follows.
struct OrderPlan {
  std::string customer;  // index into the customers
  std::size_t customer_index = 0;
  nlohmann::json body;
  bool cancel = false;
};

// One order due at `intended`.
struct Job {
  Clock::time_point intended;
  int tag = 0;
  OrderPlan plan;
};

}  // namespace

struct LoadGenerator::Impl {
  Target target;
  Options options;
  Url order_url;
  Url inventory_url;
  std::shared_ptr<const http::TlsClientContext> tls;
  std::string secret;
  std::string admin_token;
  std::vector<std::string> customers;  // ids
  std::vector<std::string> customer_tokens;
  std::vector<std::string> products;
  std::string empty_product;  // no stock: the fail-stock share
  std::mt19937_64 rng;
  ProcessCpu cpu{{}};

  SagaTracker tracker;
  std::unique_ptr<kafka::Consumer> consumer;
  std::thread consumer_thread;
  std::atomic<bool> stopping{false};
  std::atomic<bool> assigned{false};
  std::atomic<std::uint64_t> decode_errors{0};

  // What finished, for the phase running now.
  std::mutex finished_mutex;
  std::condition_variable finished_cv;
  std::vector<SagaTracker::Finished> finished;
  bool closed_loop = false;                     // a closed-loop phase runs (under finished_mutex)
  std::unordered_set<std::string> closed_done;  // closed loop: ids whose end was seen
  std::vector<std::string> acknowledged;        // every 202 of the run (invariant check)
  int next_tag = 0;

  [[nodiscard]] std::unique_ptr<http::KeepAliveConnection> Connect(const Url& url) const {
    return std::make_unique<http::KeepAliveConnection>(url.host, url.port, url.https ? tls : nullptr);
  }

  std::string Mint(const std::string& subject, const std::vector<std::string>& roles) const {
    auth::TokenRequest request{subject, roles, "saga-dev", "saga-api", std::chrono::hours(12), ""};
    return "Bearer " + auth::MintHs256(secret, request, core::SystemClock().Now());
  }

  void OnFinished(std::optional<SagaTracker::Finished> done) {
    if (!done) return;
    {
      const std::lock_guard lock(finished_mutex);
      if (closed_loop) closed_done.insert(done->order_id);
      finished.push_back(std::move(*done));
    }
    finished_cv.notify_all();
  }

  void ConsumeLoop() {
    while (!stopping.load()) {
      std::optional<kafka::ConsumedMessage> message;
      try {
        message = consumer->Poll(std::chrono::milliseconds(100));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "saga_bench: consumer failed: %s\n", e.what());
        return;
      }
      if (!message) continue;
      const auto observed = Clock::now();
      // The type header spares decoding the events that do not end a saga.
      if (const auto type = message->Header("type"); type && !TerminalOutcome(*type)) continue;
      auto envelope = contracts::Decode(message->payload);
      if (!envelope) {
        decode_errors.fetch_add(1);
        continue;
      }
      const auto outcome = TerminalOutcome(envelope.Value().type);
      if (!outcome) continue;
      OnFinished(tracker.Terminal(envelope.Value().order_id.Get().ToString(), *outcome, observed));
    }
  }

  OrderPlan Plan() {
    OrderPlan plan;
    std::uniform_real_distribution<double> share(0.0, 1.0);
    std::uniform_int_distribution<std::size_t> customer(0, customers.size() - 1);
    std::uniform_int_distribution<int> item_count(options.mix.items_min, options.mix.items_max);
    std::uniform_int_distribution<int> quantity(1, options.mix.quantity_max);
    plan.customer_index = customer(rng);
    plan.customer = customers[plan.customer_index];
    const double draw = share(rng);
    const auto& mix = options.mix;
    const bool fail_stock = draw < mix.fail_stock;
    const bool decline = !fail_stock && draw < mix.fail_stock + mix.decline;
    plan.cancel = !fail_stock && !decline && draw < mix.fail_stock + mix.decline + mix.cancel;
    // Distinct products: a partial Fisher-Yates draw over the indices.
    const int lines = item_count(rng);
    std::vector<std::size_t> picked;
    std::unordered_set<std::size_t> used;
    std::uniform_int_distribution<std::size_t> product(0, products.size() - 1);
    while (static_cast<int>(picked.size()) < lines) {
      const auto p = product(rng);
      if (used.insert(p).second) picked.push_back(p);
    }
    nlohmann::json items = nlohmann::json::array();
    for (auto p : picked) items.push_back({{"productId", products[p]}, {"quantity", quantity(rng)}});
    if (fail_stock) items.push_back({{"productId", empty_product}, {"quantity", 1}});
    plan.body = {{"customerId", plan.customer},
                 {"paymentToken", decline ? "tok_sim_decline" : "tok_sim_approve"},
                 {"items", std::move(items)}};
    return plan;
  }

  // Places one order (and its cancellation); reports to the tracker. Returns the error kind,
  // or "" when the order was accepted (and its id in `order_id`).
  std::string Place(http::KeepAliveConnection& connection, const Job& job, std::string& order_id,
                    PhaseResult& result, LogLinearHistogram& accept, std::mutex& result_mutex,
                    bool register_closed) {
    const auto& token = customer_tokens[job.plan.customer_index];
    const auto key = core::Uuid::Random().ToString();
    auto reply =
        connection.Exchange("POST", "/api/orders", job.plan.body.dump(),
                            {{"Authorization", token}, {"Idempotency-Key", key}}, options.request_timeout);
    const auto answered = Clock::now();
    if (reply.status != 202) {
      return reply.status == 0 ? "transport: " + reply.error.substr(0, 60)
                               : "HTTP " + std::to_string(reply.status);
    }
    try {
      order_id = nlohmann::json::parse(reply.body).at("id").get<std::string>();
    } catch (const std::exception&) {
      return "202 without an order id";
    }
    {
      const std::lock_guard lock(result_mutex);
      if (job.tag % 2 == 1) {
        ++result.accepted;
        accept.Record(Micros(answered - job.intended));
      }
    }
    {
      const std::lock_guard lock(finished_mutex);
      acknowledged.push_back(order_id);
      if (register_closed) closed_done.erase(order_id);
    }
    OnFinished(tracker.Accepted(order_id, job.intended, job.plan.cancel, job.tag));
    if (job.plan.cancel) {
      auto cancel = connection.Exchange("PUT", "/api/orders/" + order_id + "/cancel", "",
                                        {{"Authorization", token}}, options.request_timeout);
      OnFinished(tracker.CancelAnswered(order_id, cancel.status == 202));
      if (cancel.status != 202 && cancel.status != 409) {
        return cancel.status == 0 ? "cancel transport: " + cancel.error.substr(0, 50)
                                  : "cancel HTTP " + std::to_string(cancel.status);
      }
    }
    return "";
  }

  // Waits until no order of `tags` is pending, or the drain timeout.
  void Drain(std::initializer_list<int> tags) {
    const auto deadline = Clock::now() + options.drain_timeout;
    while (Clock::now() < deadline) {
      std::size_t pending = 0;
      for (int tag : tags) pending += tracker.PendingWithTag(tag);
      if (pending == 0) return;
      std::unique_lock lock(finished_mutex);
      finished_cv.wait_for(lock, std::chrono::milliseconds(50));
    }
  }

  // Fills the phase's outcome from what finished, the window and the CPU samples.
  // The tags of a new phase's warm-up and measured orders (odd: measured).
  // A new phase of `spec`: its result (mode, rate, clients) and the tags of its warm-up and
  // measured orders (odd: measured).
  PhaseResult NewPhase(const PhaseSpec& spec, int& warm_tag, int& measured_tag) {
    PhaseResult result;
    result.mode = spec.clients > 0 ? "closed" : "open";
    result.offered_rate = spec.clients > 0 ? 0.0 : spec.rate;
    result.clients = spec.clients;
    warm_tag = next_tag++ * 2;
    measured_tag = warm_tag + 1;
    return result;
  }

  struct Window {
    Clock::time_point start;
    Clock::time_point end;
    std::map<std::string, double> cpu_before;
    std::map<std::string, double> cpu_after;
  };

  // Sleeps through the measurement window, sampling the CPU at its edges and the load average
  // at its end.
  Window Measure(Clock::time_point start, Clock::time_point end, PhaseResult& result) const {
    Window window{start, end, {}, {}};
    std::this_thread::sleep_until(start);
    window.cpu_before = cpu.Sample();
    std::this_thread::sleep_until(end);
    window.cpu_after = cpu.Sample();
    result.load_average = LoadAverage();
    return window;
  }

  void Summarize(PhaseResult& result, int measured_tag, const Window& window,
                 const LogLinearHistogram& accept) {
    const auto window_start = window.start;
    const auto window_end = window.end;
    LogLinearHistogram e2e;
    std::vector<SagaTracker::Finished> done;
    {
      const std::lock_guard lock(finished_mutex);
      done.swap(finished);
    }
    for (const auto& f : done) {
      if (f.ended >= window_start && f.ended < window_end) ++result.ended_in_window;
      if (f.tag != measured_tag) continue;
      e2e.Record(Micros(f.ended - f.intended));
      ++result.outcomes[std::string(ToString(f.outcome))];
    }
    result.window_s = std::chrono::duration<double>(window_end - window_start).count();
    result.sagas_per_s =
        result.window_s > 0 ? static_cast<double>(result.ended_in_window) / result.window_s : 0;
    result.unfinished = tracker.PendingWithTag(measured_tag);
    result.end_to_end = bench::Summarize(e2e);
    result.accept = bench::Summarize(accept);
    for (const auto& [name, seconds] : window.cpu_after) {
      const auto it = window.cpu_before.find(name);
      result.cpu_seconds[name] = seconds - (it == window.cpu_before.end() ? 0.0 : it->second);
    }
  }
};

LoadGenerator::LoadGenerator(Target target, Options options) : impl_(std::make_unique<Impl>()) {
  options.mix.Validate();
  if (options.connections < 1 || options.connections > 1024)
    throw std::invalid_argument("--connections must be in [1, 1024]");
  if (options.customers < 1 || options.customers > 100000)
    throw std::invalid_argument("--customers must be in [1, 100000]");
  auto& impl = *impl_;
  impl.order_url = ParseUrl(target.order_url, "--order-url");
  impl.inventory_url = ParseUrl(target.inventory_url, "--inventory-url");
  if (impl.order_url.https || impl.inventory_url.https)
    impl.tls = std::make_shared<const http::TlsClientContext>(target.ca_file);
  if (target.auth_secret_file.empty()) throw std::invalid_argument("--auth-secret-file is required");
  impl.secret = core::ReadSecretFile(target.auth_secret_file, "--auth-secret-file");
  target.processes.emplace("saga_bench", ::getpid());
  impl.cpu = ProcessCpu(target.processes);
  impl.rng.seed(options.seed);
  impl.target = std::move(target);
  impl.options = options;
}

LoadGenerator::~LoadGenerator() {
  impl_->stopping = true;
  if (impl_->consumer_thread.joinable()) impl_->consumer_thread.join();
  if (impl_->consumer) impl_->consumer->Close();
}

const std::vector<std::string>& LoadGenerator::Products() const noexcept {
  return impl_->products;
}

void LoadGenerator::Prepare() {
  auto& impl = *impl_;
  impl.admin_token = impl.Mint("saga-bench", {"admin"});
  for (int i = 0; i < impl.options.customers; ++i) {
    impl.customers.push_back(core::Uuid::Random(impl.rng).ToString());
    impl.customer_tokens.push_back(impl.Mint(impl.customers.back(), {"customer"}));
  }
  // Products of this run (unique SKUs), and one without stock.
  auto inventory = impl.Connect(impl.inventory_url);
  const auto run = core::Uuid::Random().ToString().substr(0, 8);  // unique SKUs and group per run
  const auto create = [&](const std::string& sku, std::int64_t quantity) {
    std::string upper = sku;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const nlohmann::json body{{"name", "bench " + sku},
                              {"sku", upper},
                              {"price", {{"amountMinor", 1000}, {"currency", "EUR"}}},
                              {"quantity", quantity}};
    const auto reply =
        inventory->Exchange("POST", "/api/inventory", body.dump(), {{"Authorization", impl.admin_token}},
                            impl.options.request_timeout);
    if (reply.status != 201) {
      throw std::runtime_error(
          "creating product " + upper + " at " + impl.target.inventory_url + " failed: " +
          (reply.status == 0 ? reply.error
                             : "HTTP " + std::to_string(reply.status) + " " + reply.body.substr(0, 300)));
    }
    return nlohmann::json::parse(reply.body).at("id").get<std::string>();
  };
  for (int i = 0; i < impl.options.mix.products; ++i)
    impl.products.push_back(create("BENCH-" + run + "-" + std::to_string(i), impl.options.stock_per_product));
  impl.empty_product = create("BENCH-" + run + "-EMPTY", 0);

  // The consumer of the terminal events, in a group of its own, from the end of the topic.
  kafka::ConsumerOptions consumer_options;
  consumer_options.group_id = "saga-bench-" + run;
  consumer_options.topics = {impl.target.topic_prefix + contracts::kOrderEventsTopic};
  consumer_options.auto_offset_reset = "latest";
  consumer_options.on_rebalance = [&impl](bool assigned, int partitions) {
    if (assigned && partitions > 0) impl.assigned = true;
  };
  auto config = impl.target.kafka;
  config.client_id = "saga-bench";
  config.extra.emplace("fetch.wait.max.ms", "20");
  impl.consumer = std::make_unique<kafka::Consumer>(config, consumer_options);
  // Poll on this thread until the partitions are assigned and their positions fetched.
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (!impl.assigned && Clock::now() < deadline) (void)impl.consumer->Poll(std::chrono::milliseconds(100));
  if (!impl.assigned)
    throw std::runtime_error("the Kafka consumer got no partition of " + consumer_options.topics.front() +
                             " within 30 s (broker " + config.brokers + ", credentials?)");
  const auto settle = Clock::now() + std::chrono::seconds(1);
  while (Clock::now() < settle) (void)impl.consumer->Poll(std::chrono::milliseconds(100));
  impl.consumer_thread = std::thread([&impl] { impl.ConsumeLoop(); });
}

PhaseResult LoadGenerator::RunOpen(const PhaseSpec& spec) {
  auto& impl = *impl_;
  if (!(spec.rate > 0)) throw std::invalid_argument("open loop: the rate must be positive");
  int warm_tag = 0, measured_tag = 0;
  auto result = impl.NewPhase(PhaseSpec{spec.rate, 0, spec.warmup, spec.duration}, warm_tag, measured_tag);

  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  std::deque<Job> queue;
  bool dispatch_done = false;
  std::mutex result_mutex;
  LogLinearHistogram accept;

  const auto start = Clock::now() + std::chrono::milliseconds(200);
  const auto window_start = start + spec.warmup;
  const auto window_end = window_start + spec.duration;
  const auto period = std::chrono::duration<double>(1.0 / spec.rate);

  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(impl.options.connections));
  for (int w = 0; w < impl.options.connections; ++w) {
    workers.emplace_back([&] {
      auto connection = impl.Connect(impl.order_url);
      while (true) {
        Job job;
        {
          std::unique_lock lock(queue_mutex);
          queue_cv.wait(lock, [&] { return !queue.empty() || dispatch_done; });
          if (queue.empty()) return;
          job = std::move(queue.front());
          queue.pop_front();
        }
        std::string order_id;
        const auto error = impl.Place(*connection, job, order_id, result, accept, result_mutex, false);
        if (!error.empty()) {
          const std::lock_guard lock(result_mutex);
          if (job.tag == measured_tag) ++result.errors[error];
        }
      }
    });
  }
  // The dispatcher: order i is due at start + i * period, on time whatever the workers do.
  std::thread dispatcher([&] {
    for (std::uint64_t i = 0;; ++i) {
      const auto intended =
          start + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(i));
      if (intended >= window_end) break;
      Job job{intended, intended < window_start ? warm_tag : measured_tag, impl.Plan()};
      std::this_thread::sleep_until(intended);
      {
        const std::lock_guard lock(queue_mutex);
        queue.push_back(std::move(job));
      }
      if (intended >= window_start) {
        const std::lock_guard lock(result_mutex);
        ++result.sent;
      }
      queue_cv.notify_one();
    }
    {
      const std::lock_guard lock(queue_mutex);
      dispatch_done = true;
    }
    queue_cv.notify_all();
  });

  const auto window = impl.Measure(window_start, window_end, result);
  dispatcher.join();
  for (auto& w : workers) w.join();
  impl.Drain({warm_tag, measured_tag});
  impl.Summarize(result, measured_tag, window, accept);
  return result;
}

PhaseResult LoadGenerator::RunClosed(const PhaseSpec& spec) {
  auto& impl = *impl_;
  if (spec.clients < 1) throw std::invalid_argument("closed loop: at least one client");
  int warm_tag = 0, measured_tag = 0;
  auto result = impl.NewPhase(spec, warm_tag, measured_tag);
  std::mutex result_mutex;
  LogLinearHistogram accept;
  const auto start = Clock::now();
  const auto window_start = start + spec.warmup;
  const auto window_end = window_start + spec.duration;

  {
    const std::lock_guard lock(impl.finished_mutex);
    impl.closed_loop = true;
  }
  std::vector<std::thread> clients;
  clients.reserve(static_cast<std::size_t>(spec.clients));
  for (int c = 0; c < spec.clients; ++c) {
    clients.emplace_back([&] {
      auto connection = impl.Connect(impl.order_url);
      while (true) {
        const auto now = Clock::now();
        if (now >= window_end) return;
        Job job;
        {
          const std::lock_guard lock(impl.finished_mutex);  // Plan() draws from the shared generator
          job = Job{now, now < window_start ? warm_tag : measured_tag, impl.Plan()};
        }
        if (job.tag == measured_tag) {
          const std::lock_guard lock(result_mutex);
          ++result.sent;
        }
        std::string order_id;
        const auto error = impl.Place(*connection, job, order_id, result, accept, result_mutex, true);
        if (!error.empty()) {
          const std::lock_guard lock(result_mutex);
          if (job.tag == measured_tag) ++result.errors[error];
          continue;
        }
        // One order in flight per client: wait for its end.
        std::unique_lock lock(impl.finished_mutex);
        impl.finished_cv.wait_until(lock, Clock::now() + impl.options.drain_timeout,
                                    [&] { return impl.closed_done.contains(order_id); });
        impl.closed_done.erase(order_id);
      }
    });
  }
  const auto window = impl.Measure(window_start, window_end, result);
  for (auto& c : clients) c.join();
  {
    const std::lock_guard lock(impl.finished_mutex);
    impl.closed_loop = false;
    impl.closed_done.clear();
  }
  impl.Drain({warm_tag, measured_tag});
  impl.Summarize(result, measured_tag, window, accept);
  return result;
}

InvariantVerdict LoadGenerator::Finish() {
  auto& impl = *impl_;
  const auto deadline = Clock::now() + impl.options.drain_timeout;
  while (impl.tracker.Pending() > 0 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  InvariantVerdict verdict;
  const auto& t = impl.target;
  if (t.order_dsn.empty() && t.inventory_dsn.empty() && t.payment_dsn.empty()) return verdict;
  verdict.checked = true;
  invariants::CheckInput input;
  input.order_dsn = t.order_dsn;
  input.inventory_dsn = t.inventory_dsn;
  input.payment_dsn = t.payment_dsn;
  {
    const std::lock_guard lock(impl.finished_mutex);
    input.acknowledged_orders = impl.acknowledged;
  }
  input.at_rest = true;
  // The last events are on Kafka before the participants' relays have marked every outbox row
  // (StockUpdated, notifications): give the system up to 10 s to come to rest.
  const auto rest_deadline = Clock::now() + std::chrono::seconds(10);
  while (true) {
    try {
      const auto report = invariants::Check(input);
      verdict.ok = report.Ok();
      verdict.violations = report.violations;
      verdict.stats = report.stats;
      verdict.error.clear();
    } catch (const std::exception& e) {
      verdict.ok = false;
      verdict.error = e.what();
    }
    if (verdict.ok || Clock::now() >= rest_deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return verdict;
}

}  // namespace saga::bench
