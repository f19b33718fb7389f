# Every third-party dependency is found here, and only here. All but one come from Debian 12
# packages (deploy/packages.txt); librdkafka is built from source (deploy/vendor/librdkafka.env).
# deploy/install-deps.sh installs them all.

find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

find_package(Boost 1.74 REQUIRED)                 # Beast + Asio (header-only)
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)
find_package(spdlog REQUIRED CONFIG)
find_package(prometheus-cpp REQUIRED CONFIG)
find_package(CLI11 REQUIRED CONFIG)


# librdkafka: the pinned release that deploy/install-deps.sh built into
# $SAGA_DEPS_DIR/librdkafka-<version> (default ${XDG_CACHE_HOME:-~/.cache}/saga-deps), linked
# statically so the executables need nothing at run time. Debian's 2.0.2 cannot do SASL/SCRAM
# with Kafka 4.x; see docs/adr/0003-vendored-librdkafka.md.
set(_rdkafka_env "${PROJECT_SOURCE_DIR}/deploy/vendor/librdkafka.env")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_rdkafka_env}")
file(STRINGS "${_rdkafka_env}" _rdkafka_version REGEX "^RDKAFKA_VERSION=")
string(REPLACE "RDKAFKA_VERSION=" "" SAGA_RDKAFKA_VERSION "${_rdkafka_version}")
if(NOT DEFINED SAGA_DEPS_DIR)
  if(DEFINED ENV{SAGA_DEPS_DIR} AND NOT "$ENV{SAGA_DEPS_DIR}" STREQUAL "")
    set(SAGA_DEPS_DIR "$ENV{SAGA_DEPS_DIR}")
  elseif(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
    set(SAGA_DEPS_DIR "$ENV{XDG_CACHE_HOME}/saga-deps")
  else()
    set(SAGA_DEPS_DIR "$ENV{HOME}/.cache/saga-deps")
  endif()
endif()
set(_rdkafka_prefix "${SAGA_DEPS_DIR}/librdkafka-${SAGA_RDKAFKA_VERSION}")
set(_rdkafka_pc "${_rdkafka_prefix}/lib/pkgconfig/rdkafka-static.pc")
if(NOT EXISTS "${_rdkafka_prefix}/.stamp" OR NOT EXISTS "${_rdkafka_pc}")
  message(FATAL_ERROR "librdkafka ${SAGA_RDKAFKA_VERSION} not found in ${_rdkafka_prefix}: "
                      "run deploy/install-deps.sh (or ./saga deps), which builds it there")
endif()
file(STRINGS "${_rdkafka_pc}" _rdkafka_pc_version REGEX "^Version: ")
if(NOT _rdkafka_pc_version STREQUAL "Version: ${SAGA_RDKAFKA_VERSION}")
  message(FATAL_ERROR "${_rdkafka_pc} says '${_rdkafka_pc_version}', expected ${SAGA_RDKAFKA_VERSION}")
endif()
find_package(ZLIB REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
add_library(RdKafka::rdkafka STATIC IMPORTED)
set_target_properties(RdKafka::rdkafka PROPERTIES
  IMPORTED_LOCATION "${_rdkafka_prefix}/lib/librdkafka.a"
  INTERFACE_INCLUDE_DIRECTORIES "${_rdkafka_prefix}/include"
  INTERFACE_LINK_LIBRARIES
    "OpenSSL::SSL;OpenSSL::Crypto;ZLIB::ZLIB;PkgConfig::ZSTD;Threads::Threads;${CMAKE_DL_LIBS};m;rt")
message(STATUS "librdkafka ${SAGA_RDKAFKA_VERSION} (static): ${_rdkafka_prefix}")
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx>=6.4)
pkg_check_modules(JWT REQUIRED IMPORTED_TARGET libjwt>=1.10)

# saga_allocator: the services' executables allocate with jemalloc instead of glibc's malloc
# (as userver and Envoy replace theirs): 5-6% less CPU in the services at 140 sagas/s
# (docs/performance.md, step 48). Linking it is enough: it comes before libc among the
# executable's libraries, so every malloc/free in the process resolves to it. Not with the
# sanitizers, which bring their own allocator.
pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc>=5)
add_library(saga_allocator INTERFACE)
if(NOT SAGA_SANITIZE)
  target_link_libraries(saga_allocator INTERFACE PkgConfig::JEMALLOC)
endif()

if(SAGA_BUILD_TESTS)
  find_package(GTest REQUIRED CONFIG)
  include(GoogleTest)
endif()
find_package(benchmark CONFIG)
