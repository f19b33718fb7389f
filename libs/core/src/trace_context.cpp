#include "saga/core/trace_context.hpp"

#include <algorithm>
#include <cstdio>
#include <random>

namespace saga::core {
namespace {

bool IsLowerHex(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool AllZero(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == '0'; });
}

std::string RandomHex64() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  char out[17];
  std::snprintf(out, sizeof(out), "%016llx", static_cast<unsigned long long>(rng() | 1ULL));  // never zero
  return std::string(out, 16);
}

}  // namespace

std::optional<TraceContext> TraceContext::Parse(std::string_view tp) noexcept {
  try {
    if (tp.size() < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-') return std::nullopt;
    const auto version = tp.substr(0, 2);
    if (!IsLowerHex(version) || version == "ff") return std::nullopt;
    // Version 00 has exactly these fields; a later version may append "-..." after them.
    if (version == "00" ? tp.size() != 55 : (tp.size() > 55 && tp[55] != '-')) return std::nullopt;
    const auto trace_id = tp.substr(3, 32);
    const auto span_id = tp.substr(36, 16);
    const auto flags = tp.substr(53, 2);
    if (!IsLowerHex(trace_id) || !IsLowerHex(span_id) || !IsLowerHex(flags)) return std::nullopt;
    if (AllZero(trace_id) || AllZero(span_id)) return std::nullopt;
    return TraceContext(std::string(trace_id), std::string(span_id), std::string(flags));
  } catch (...) {  // allocation failure only
    return std::nullopt;
  }
}

TraceContext TraceContext::NewRoot() {
  return TraceContext(RandomHex64() + RandomHex64(), RandomHex64(), "01");
}

TraceContext TraceContext::ForTrace(const Uuid& trace_id) {
  std::string trace = trace_id.ToString();
  trace.erase(std::remove(trace.begin(), trace.end(), '-'), trace.end());
  if (AllZero(trace)) return NewRoot();
  return TraceContext(std::move(trace), RandomHex64(), "01");
}

TraceContext TraceContext::Child() const {
  return TraceContext(trace_id_, RandomHex64(), flags_);
}

std::string TraceContext::ToTraceparent() const {
  return "00-" + trace_id_ + "-" + span_id_ + "-" + flags_;
}

}  // namespace saga::core
