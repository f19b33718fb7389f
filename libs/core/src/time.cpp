#include "saga/core/time.hpp"

#include <cstdio>
#include <ctime>

namespace saga::core {

std::string ToRfc3339(Timestamp ts) {
  const auto micros = ts.time_since_epoch().count();
  auto secs = micros / 1000000;
  auto frac = micros % 1000000;
  if (frac < 0) {
    frac += 1000000;
    secs -= 1;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long>(frac));
  return buf;
}

}  // namespace saga::core
