// The REST API tests run against one System whose saga does not run (isolate_saga).
#include "tests/e2e/api_fixture.hpp"

namespace {

[[maybe_unused]] const bool kRegistered = [] {
  saga::e2e::SystemOptions options;
  options.isolate_saga = true;
  saga::e2e::RegisterSystem(options);
  return true;
}();

}  // namespace
