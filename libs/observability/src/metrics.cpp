#include "saga/observability/metrics.hpp"

#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace saga::observability {

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return buckets;
}

const prometheus::Histogram::BucketBoundaries& SagaDurationBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = [] {
    auto b = LatencyBuckets();
    b.insert(b.end(), {60, 120, 300});
    return b;
  }();
  return buckets;
}

ScrapeHook& ScrapeHook::operator=(ScrapeHook&& other) noexcept {
  if (this != &other) {
    if (metrics_ != nullptr) metrics_->RemoveHook(id_);
    metrics_ = other.metrics_;
    id_ = other.id_;
    other.metrics_ = nullptr;
  }
  return *this;
}

ScrapeHook::~ScrapeHook() {
  if (metrics_ != nullptr) metrics_->RemoveHook(id_);
}

prometheus::Family<prometheus::Counter>& Metrics::CounterFamily(const std::string& name,
                                                                const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry_);
}

prometheus::Family<prometheus::Gauge>& Metrics::GaugeFamily(const std::string& name,
                                                            const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry_);
}

prometheus::Family<prometheus::Histogram>& Metrics::HistogramFamily(const std::string& name,
                                                                    const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry_);
}

ScrapeHook Metrics::OnScrape(std::function<void()> refresh) {
  std::lock_guard lock(hooks_mu_);
  const auto id = next_hook_++;
  hooks_.emplace(id, std::move(refresh));
  return ScrapeHook(this, id);
}

void Metrics::RemoveHook(std::uint64_t id) {
  std::lock_guard lock(hooks_mu_);
  hooks_.erase(id);
}

std::string Metrics::Expose() {
  {
    // Held while hooks run, so a component cannot unregister (and go away) in the middle.
    std::lock_guard lock(hooks_mu_);
    for (auto& [id, refresh] : hooks_) refresh();
  }
  return prometheus::TextSerializer().Serialize(registry_.Collect());
}

Metrics& DefaultMetrics() {
  static Metrics metrics;
  return metrics;
}

ScrapeHook AddProcessMetrics(Metrics& metrics, const std::string& service, const std::string& version) {
  metrics.GaugeFamily("saga_service_info", "1; names the service and its version")
      .Add({{"service", service}, {"version", version}})
      .Set(1);
  auto& cpu =
      metrics.CounterFamily("process_cpu_seconds_total", "User and system CPU time of the process").Add({});
  auto& rss = metrics.GaugeFamily("process_resident_memory_bytes", "Resident set size").Add({});
  auto& start = metrics.GaugeFamily("process_start_time_seconds", "Process start time, Unix seconds").Add({});
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  // The start time in clock ticks since boot (field 22 of /proc/self/stat), turned into Unix time
  // once with the boot time of /proc/stat.
  return metrics.OnScrape([&cpu, &rss, &start, ticks, page, started = 0.0]() mutable {
    std::ifstream stat_file("/proc/self/stat");
    std::string line;
    if (!std::getline(stat_file, line)) return;
    const auto close = line.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos) return;
    std::istringstream fields(line.substr(close + 2));
    std::vector<std::string> f;
    for (std::string field; fields >> field;) f.push_back(field);
    // f[0] is field 3 (state): utime 14 -> f[11], stime 15 -> f[12], starttime 22 -> f[19], rss 24 -> f[21].
    if (f.size() < 22) return;
    const double cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
    if (cpu_seconds > cpu.Value()) cpu.Increment(cpu_seconds - cpu.Value());
    rss.Set(std::stod(f[21]) * page);
    if (started == 0.0) {
      std::ifstream boot_file("/proc/stat");
      for (std::string key; boot_file >> key;) {
        if (key == "btime") {
          double boot = 0;
          boot_file >> boot;
          started = boot + std::stod(f[19]) / ticks;
          break;
        }
        std::getline(boot_file, key);
      }
    }
    start.Set(started);
  });
}

}  // namespace saga::observability
