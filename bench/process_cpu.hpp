#pragma once
// CPU time of the processes that serve the benchmark (the services, the broker, PostgreSQL and
// the load generator itself), read from /proc/<pid>/stat: user + system time of the process and
// of its live descendants (PostgreSQL's backends are children of the postmaster) plus what its
// exited, waited-for children used (cutime + cstime). Linux only.

#include <sys/types.h>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace saga::bench {

/// The fields of one /proc/<pid>/stat line the sampler needs.
struct ProcStat {
  pid_t pid = 0;
  pid_t ppid = 0;
  double self_seconds = 0;      // utime + stime
  double children_seconds = 0;  // cutime + cstime
};

/// Parses a /proc/<pid>/stat line (the command name may hold spaces and parentheses);
/// nullopt when it is not one. `ticks_per_second`: sysconf(_SC_CLK_TCK).
[[nodiscard]] std::optional<ProcStat> ParseProcStat(std::string_view line, double ticks_per_second);

/// CPU seconds so far of each named process tree (name -> pid); a pid that is gone counts 0.
class ProcessCpu {
 public:
  explicit ProcessCpu(std::map<std::string, pid_t> processes);
  [[nodiscard]] std::map<std::string, double> Sample() const;
  [[nodiscard]] const std::map<std::string, pid_t>& Processes() const noexcept { return processes_; }

 private:
  std::map<std::string, pid_t> processes_;
};

}  // namespace saga::bench
