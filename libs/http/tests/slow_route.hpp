#pragma once
// GET /slow for the server tests: each request waits in the handler until Release(), and
// WaitEntered() returns once the first one is in (so "in flight" is a fact, not a sleep).
#include <future>

#include "saga/http/router.hpp"

namespace saga::http {

class SlowRoute {
 public:
  void AddTo(Router& router) {
    router.Add(Verb::get, "/slow", [this](const Request&, const RequestContext&) {
      entered_.set_value();
      released_.wait();
      return JsonResponse(Status::ok, {{"slow", true}});
    });
  }
  void WaitEntered() { entered_.get_future().wait(); }
  void Release() { release_.set_value(); }

 private:
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
  std::promise<void> entered_;
};

}  // namespace saga::http
