# Every third-party dependency is found here, and only here. All come from Debian 12 packages
# (deploy/packages.txt); deploy/install-deps.sh installs them.

find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

find_package(Boost 1.74 REQUIRED)                 # Beast + Asio (header-only)
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)
find_package(spdlog REQUIRED CONFIG)
find_package(prometheus-cpp REQUIRED CONFIG)
find_package(CLI11 REQUIRED CONFIG)

pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka>=2.0)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx>=6.4)
pkg_check_modules(JWT REQUIRED IMPORTED_TARGET libjwt>=1.10)

if(SAGA_BUILD_TESTS)
  find_package(GTest REQUIRED CONFIG)
  include(GoogleTest)
endif()
find_package(benchmark CONFIG)
