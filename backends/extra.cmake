# More plugins of a known kind, built from the same sources against a library
# in another prefix (a developer's OpenSSL or BoringSSL build, another
# release), each named by the user and loaded beside the system ones in one
# run:
#
#   -DHSBENCH_EXTRA_BACKENDS="NAME=KIND:PREFIX;..."
#
# KIND is openssl, boringssl, wolfssl or gnutls; the headers are in
# PREFIX/include, the libraries in PREFIX/lib64, PREFIX/lib or
# PREFIX/lib/<multiarch>. The plugin is hsbench-backend-NAME.so and its
# backend calls itself NAME.
#
# Two builds of one library share a soname (libcrypto.so.3, libcrypto.so.0),
# and the dynamic loader binds a second plugin's DT_NEEDED to the library of
# that soname already loaded, whatever its RPATH says. So the plugin is not
# linked against PREFIX's libraries but against copies in
# lib/hsbench/NAME/ with sonames of their own (scripts/elf_rename.py), made
# again whenever PREFIX's files change; its RPATH names that directory, then
# PREFIX's library directory for anything else the library needs.
#
# The Android 13 BoringSSL that scripts/fetch-boringssl13.sh puts in
# build/libs/boringssl-13 is one such plugin, boringssl-a13, added whenever
# that directory is there.
set(HSBENCH_EXTRA_BACKENDS "" CACHE STRING
    "More plugins against libraries in other prefixes: NAME=KIND:PREFIX;... (KIND openssl, boringssl, wolfssl or gnutls)")
set(HSBENCH_BORINGSSL13_DIR "${PROJECT_SOURCE_DIR}/build/libs/boringssl-13" CACHE PATH
    "Android 13 BoringSSL (scripts/fetch-boringssl13.sh); when there, the backend boringssl-a13")

# The libraries a plugin of each kind links, the one that must be in PREFIX
# first; gnutls takes nettle and hogweed from PREFIX when they are there and
# from the system otherwise.
set(_hsbench_extra_libs_openssl ssl crypto)
set(_hsbench_extra_libs_boringssl ssl crypto)
set(_hsbench_extra_libs_wolfssl wolfssl)
set(_hsbench_extra_libs_gnutls gnutls nettle hogweed)

function(hsbench_add_extra_backend spec)
  if(NOT spec MATCHES "^([a-z0-9_-]+)=([a-z]+):(.+)$")
    message(FATAL_ERROR "HSBENCH_EXTRA_BACKENDS: '${spec}' is not NAME=KIND:PREFIX "
                        "(NAME of a-z, 0-9, '-', '_')")
  endif()
  set(name ${CMAKE_MATCH_1})
  set(kind ${CMAKE_MATCH_2})
  set(prefix ${CMAKE_MATCH_3})
  if(NOT kind MATCHES "^(openssl|boringssl|wolfssl|gnutls)$")
    message(FATAL_ERROR "HSBENCH_EXTRA_BACKENDS: ${name}: unknown kind '${kind}' "
                        "(openssl, boringssl, wolfssl or gnutls)")
  endif()
  if(TARGET hsbench-backend-${name})
    message(FATAL_ERROR "HSBENCH_EXTRA_BACKENDS: a backend called '${name}' is already built")
  endif()
  if(NOT COMMAND hsbench_add_${kind}_backend)
    message(FATAL_ERROR "HSBENCH_EXTRA_BACKENDS: ${name}: no ${kind} plugin sources")
  endif()
  if(NOT IS_DIRECTORY ${prefix}/include)
    message(FATAL_ERROR "HSBENCH_EXTRA_BACKENDS: ${name}: ${prefix}/include is not a directory")
  endif()
  set(libs ${_hsbench_extra_libs_${kind}})
  list(GET libs 0 first)
  set(libdir "")
  foreach(dir ${prefix}/lib64 ${prefix}/lib ${prefix}/lib/${CMAKE_LIBRARY_ARCHITECTURE})
    if(EXISTS ${dir}/lib${first}.so)
      set(libdir ${dir})
      break()
    endif()
  endforeach()
  if(NOT libdir)
    message(FATAL_ERROR "HSBENCH_EXTRA_BACKENDS: ${name}: no lib${first}.so in ${prefix}/lib64, "
                        "${prefix}/lib or ${prefix}/lib/${CMAKE_LIBRARY_ARCHITECTURE}")
  endif()
  set(originals "")
  set(system_libs "")
  foreach(lib IN LISTS libs)
    if(EXISTS ${libdir}/lib${lib}.so)
      file(REAL_PATH ${libdir}/lib${lib}.so real)
      list(APPEND originals ${real})
    elseif(kind STREQUAL "gnutls")
      find_library(HSBENCH_SYSTEM_${lib}_LIBRARY ${lib} REQUIRED)
      list(APPEND system_libs ${HSBENCH_SYSTEM_${lib}_LIBRARY})
    else()
      message(FATAL_ERROR "HSBENCH_EXTRA_BACKENDS: ${name}: no lib${lib}.so in ${libdir}")
    endif()
  endforeach()

  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  set(out ${CMAKE_BINARY_DIR}/${HSBENCH_PLUGIN_DIR}/${name})
  set(rename ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/elf_rename.py --name ${name}
             --out ${out} ${originals})
  execute_process(COMMAND ${rename} --dry-run OUTPUT_VARIABLE copies ERROR_VARIABLE error
                  RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "HSBENCH_EXTRA_BACKENDS: ${name}: ${error}")
  endif()
  string(REPLACE "\n" ";" copies "${copies}")
  add_custom_command(OUTPUT ${copies} COMMAND ${rename} > /dev/null
                     DEPENDS ${originals} ${PROJECT_SOURCE_DIR}/scripts/elf_rename.py
                     COMMENT "Copying the libraries of backend ${name} under sonames of their own"
                     VERBATIM)
  add_custom_target(hsbench-backend-${name}-libs DEPENDS ${copies})
  install(FILES ${copies} DESTINATION ${HSBENCH_PLUGIN_DIR}/${name})

  if(kind STREQUAL "boringssl")
    hsbench_add_boringssl_backend(${name} ${prefix}/include "$ORIGIN/${name};${libdir}" ${copies})
  else()
    cmake_language(CALL hsbench_add_${kind}_backend ${name} ${copies} ${system_libs})
    target_include_directories(hsbench-backend-${name} SYSTEM BEFORE PRIVATE ${prefix}/include)
    hsbench_backend_rpath(hsbench-backend-${name} "$ORIGIN/${name};${libdir}")
  endif()
  add_dependencies(hsbench-backend-${name} hsbench-backend-${name}-libs)
  # The tests over pairs of backends pair it with its own kind only
  # (tests/backend/backend_test_util.h).
  set_property(GLOBAL APPEND PROPERTY HSBENCH_EXTRA_BACKEND_KINDS "${name}=${kind}")
  message(STATUS "hsbench backends: ${name}=ON (${kind} from ${prefix})")
endfunction()

set(_hsbench_extra ${HSBENCH_EXTRA_BACKENDS})
if(HSBENCH_BACKEND_BORINGSSL AND EXISTS ${HSBENCH_BORINGSSL13_DIR}/include/openssl/is_boringssl.h
   AND NOT _hsbench_extra MATCHES "(^|;)boringssl-a13=")
  list(APPEND _hsbench_extra "boringssl-a13=boringssl:${HSBENCH_BORINGSSL13_DIR}")
endif()
foreach(spec IN LISTS _hsbench_extra)
  hsbench_add_extra_backend(${spec})
endforeach()
