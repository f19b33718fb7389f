#include "bench/saga_tracker.hpp"

#include <algorithm>

namespace saga::bench {

std::optional<Outcome> TerminalOutcome(std::string_view event_type) noexcept {
  if (event_type == "OrderCompleted") return Outcome::kCompleted;
  if (event_type == "OrderFailed") return Outcome::kFailed;
  if (event_type == "OrderCancelled") return Outcome::kCancelled;
  return std::nullopt;
}

std::string_view ToString(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::kCompleted:
      return "completed";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kCancelled:
      return "cancelled";
  }
  return "?";
}

std::optional<std::pair<Outcome, SagaTracker::Clock::time_point>> SagaTracker::Ending(const Entry& entry) {
  if (!entry.accepted || entry.events.empty()) return std::nullopt;
  switch (entry.cancel) {
    case Cancel::kAwaitingAnswer:
      return std::nullopt;
    case Cancel::kAccepted: {
      auto it = std::find_if(entry.events.begin(), entry.events.end(),
                             [](const auto& event) { return event.first != Outcome::kCompleted; });
      if (it == entry.events.end()) return std::nullopt;
      return *it;
    }
    case Cancel::kNone:
    case Cancel::kRefused:
      return entry.events.front();
  }
  return std::nullopt;
}

std::optional<SagaTracker::Finished> SagaTracker::FinishIfOver(
    std::unordered_map<std::string, Entry>::iterator it) {
  const auto ending = Ending(it->second);
  if (!ending) return std::nullopt;
  Finished finished{it->first, it->second.intended, ending->second, ending->first, it->second.tag};
  // Events after the ending one (a refund's OrderCancelled after OrderCompleted does not end
  // an uncancelled order; it cannot happen without a cancellation) are not duplicates.
  finished_.insert(it->first);
  entries_.erase(it);
  return finished;
}

std::optional<SagaTracker::Finished> SagaTracker::Accepted(const std::string& order_id,
                                                           Clock::time_point intended, bool cancel_follows,
                                                           int tag) {
  const std::lock_guard lock(mutex_);
  auto& entry = entries_[order_id];
  entry.accepted = true;
  entry.intended = intended;
  entry.tag = tag;
  entry.cancel = cancel_follows ? Cancel::kAwaitingAnswer : Cancel::kNone;
  return FinishIfOver(entries_.find(order_id));
}

std::optional<SagaTracker::Finished> SagaTracker::CancelAnswered(const std::string& order_id, bool accepted) {
  const std::lock_guard lock(mutex_);
  auto it = entries_.find(order_id);
  if (it == entries_.end()) return std::nullopt;
  it->second.cancel = accepted ? Cancel::kAccepted : Cancel::kRefused;
  return FinishIfOver(it);
}

std::optional<SagaTracker::Finished> SagaTracker::Terminal(const std::string& order_id, Outcome outcome,
                                                           Clock::time_point observed) {
  const std::lock_guard lock(mutex_);
  if (finished_.contains(order_id)) {
    ++duplicates_;
    return std::nullopt;
  }
  auto& entry = entries_[order_id];
  entry.events.emplace_back(outcome, observed);
  return FinishIfOver(entries_.find(order_id));
}

std::size_t SagaTracker::Pending() const {
  const std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(entries_.begin(), entries_.end(), [](const auto& e) { return e.second.accepted; }));
}

std::size_t SagaTracker::PendingWithTag(int tag) const {
  const std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(), [tag](const auto& e) {
    return e.second.accepted && e.second.tag == tag;
  }));
}

std::uint64_t SagaTracker::Duplicates() const {
  const std::lock_guard lock(mutex_);
  return duplicates_;
}

}  // namespace saga::bench
