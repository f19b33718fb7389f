#pragma once
// Matches the orders the load generator placed with the terminal events it observes on Kafka,
// and says when each order's saga is over. No I/O: the HTTP workers and the Kafka consumer
// report to it, and it returns what finished.
//
// When an order is over:
//   - no cancellation requested: at its first terminal event (OrderCompleted, OrderFailed,
//     OrderCancelled);
//   - a cancellation accepted (202): at OrderCancelled or OrderFailed (an OrderCompleted that
//     raced the cancellation is passed over: the refund follows);
//   - a cancellation refused (e.g. 409, the saga was already over): at its first terminal event.
// Events may arrive before the HTTP answer that names the order (the saga can be faster than
// the worker): they are kept and matched when the order is reported. A terminal event for an
// order that already finished is counted as a duplicate (a relay's re-send; the consumers'
// inboxes absorb those, but the bench reports them).
//
// Thread-safety: every member may be called from any thread (one mutex).

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace saga::bench {

enum class Outcome { kCompleted, kFailed, kCancelled };

/// "OrderCompleted" -> kCompleted ...; nullopt for any other event type.
[[nodiscard]] std::optional<Outcome> TerminalOutcome(std::string_view event_type) noexcept;
[[nodiscard]] std::string_view ToString(Outcome outcome) noexcept;

class SagaTracker {
 public:
  using Clock = std::chrono::steady_clock;

  struct Finished {
    std::string order_id;
    Clock::time_point intended;  // when the order was meant to be sent
    Clock::time_point ended;     // when the ending event was observed
    Outcome outcome = Outcome::kCompleted;
    int tag = 0;  // the caller's (e.g. the phase and whether it is measured)
  };

  /// The order service accepted the order (202). `cancel_follows`: a cancellation will be
  /// requested, then CancelAnswered() reports its answer. Returns the order if it is already over.
  std::optional<Finished> Accepted(const std::string& order_id, Clock::time_point intended,
                                   bool cancel_follows, int tag);
  /// The answer to the cancellation: `accepted` (202) or not.
  std::optional<Finished> CancelAnswered(const std::string& order_id, bool accepted);
  /// A terminal event observed at `observed`.
  std::optional<Finished> Terminal(const std::string& order_id, Outcome outcome, Clock::time_point observed);

  /// Accepted orders not over yet.
  [[nodiscard]] std::size_t Pending() const;
  /// Accepted orders not over yet with this tag.
  [[nodiscard]] std::size_t PendingWithTag(int tag) const;
  /// Terminal events for orders already over.
  [[nodiscard]] std::uint64_t Duplicates() const;

 private:
  enum class Cancel { kNone, kAwaitingAnswer, kAccepted, kRefused };
  struct Entry {
    bool accepted = false;
    Clock::time_point intended;
    int tag = 0;
    Cancel cancel = Cancel::kNone;
    std::vector<std::pair<Outcome, Clock::time_point>> events;  // in arrival order
  };

  // The ending event of `entry`, if it has arrived.
  [[nodiscard]] static std::optional<std::pair<Outcome, Clock::time_point>> Ending(const Entry& entry);
  std::optional<Finished> FinishIfOver(std::unordered_map<std::string, Entry>::iterator it);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_set<std::string> finished_;
  std::uint64_t duplicates_ = 0;
};

}  // namespace saga::bench
