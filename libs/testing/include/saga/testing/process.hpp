#pragma once
// A child process for e2e tests: started with extra environment variables, stdout and stderr
// appended to a log file, signalled, waited for with a deadline. The destructor SIGKILLs a
// child that is still running, so a failing test leaves nothing behind.

#include <sys/types.h>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace saga::testing {

class Process {
 public:
  /// Starts `path` with `args`; `env` adds to (or overrides) the current environment.
  /// Throws std::runtime_error when the program cannot be started.
  Process(const std::string& path, const std::vector<std::string>& args,
          const std::map<std::string, std::string>& env, const std::string& log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  [[nodiscard]] pid_t Pid() const noexcept { return pid_; }
  void Signal(int signal) const;
  /// The exit code (128 + signal number when killed by a signal), or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  [[nodiscard]] bool Running();

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

/// The whole content of a (log) file, or "" when it does not exist.
std::string ReadFile(const std::string& path);

}  // namespace saga::testing
