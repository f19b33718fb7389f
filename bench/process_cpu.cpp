#include "bench/process_cpu.hpp"

#include <unistd.h>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <vector>

namespace saga::bench {

std::optional<ProcStat> ParseProcStat(std::string_view line, double ticks_per_second) {
  // "pid (comm) state ppid ..." with utime stime cutime cstime the 14th..17th fields.
  const auto open = line.find('(');
  const auto close = line.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
  ProcStat stat;
  if (std::from_chars(line.data(), line.data() + open, stat.pid).ec != std::errc()) return std::nullopt;
  std::istringstream rest{std::string(line.substr(close + 1))};
  std::vector<std::string> fields;  // from field 3 (state) on
  std::string field;
  while (fields.size() < 15 && rest >> field) fields.push_back(field);
  if (fields.size() < 15) return std::nullopt;
  try {
    stat.ppid = static_cast<pid_t>(std::stol(fields[1]));
    const double utime = std::stod(fields[11]);
    const double stime = std::stod(fields[12]);
    const double cutime = std::stod(fields[13]);
    const double cstime = std::stod(fields[14]);
    stat.self_seconds = (utime + stime) / ticks_per_second;
    stat.children_seconds = (cutime + cstime) / ticks_per_second;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return stat;
}

ProcessCpu::ProcessCpu(std::map<std::string, pid_t> processes) : processes_(std::move(processes)) {}

std::map<std::string, double> ProcessCpu::Sample() const {
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::unordered_map<pid_t, ProcStat> all;
  std::error_code ec;
  for (const auto& dir : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = dir.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(dir.path() / "stat");
    std::string line;
    if (!std::getline(in, line)) continue;  // exited meanwhile
    if (auto stat = ParseProcStat(line, ticks)) all[stat->pid] = *stat;
  }
  std::unordered_map<pid_t, std::vector<pid_t>> children;
  for (const auto& [pid, stat] : all) children[stat.ppid].push_back(pid);

  std::map<std::string, double> seconds;
  for (const auto& [name, root] : processes_) {
    double total = 0;
    auto it = all.find(root);
    if (it != all.end()) {
      total += it->second.children_seconds;
      std::vector<pid_t> stack{root};
      while (!stack.empty()) {
        const pid_t pid = stack.back();
        stack.pop_back();
        total += all[pid].self_seconds;
        for (pid_t child : children[pid]) stack.push_back(child);
      }
    }
    seconds[name] = total;
  }
  return seconds;
}

}  // namespace saga::bench
