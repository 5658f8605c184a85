# Fuzzing: the reader's header validation (fuzz_header.c) and the producer's
# PNG decode into a slot (fuzz_png.c).
#
# Every build makes replay programs (each target plus fuzz_main.c), and
# ctest runs the checked-in corpus through them: the seeds and every crasher
# ever found, one file each (label fuzz). With FRAME_BUILD_FUZZERS=ON and
# clang, the libFuzzer binaries fuzz_header and fuzz_png are built too:
#
#   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DFRAME_BUILD_FUZZERS=ON
#   cmake --build build-fuzz --target fuzz_header fuzz_png
#   mkdir -p /tmp/hdr && build-fuzz/tests/fuzz_header /tmp/hdr \
#       tests/fuzz/corpus/header -max_len=65536 -rss_limit_mb=2048 \
#       -timeout=10 -max_total_time=300
#   (fuzz_png likewise, with tests/fuzz/corpus/png and -max_len=65536)
#
# New crashers go into the corpus directory, named for what they trigger.
# The header seeds of every pixel format (fmt-*: valid frames, and planes
# that overlap, leave the slot, are short or misaligned) are made by
# header_seeds.py, byte by byte from the segment layout rather than by the
# library: `python3 tests/fuzz/header_seeds.py tests/fuzz/corpus/header`.
option(FRAME_BUILD_FUZZERS "Build the libFuzzer targets (clang only)" OFF)

set(FRAME_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})

# fuzz_<what>_replay: fuzz_<what>.c with fuzz_main.c, linked with lib, and
# the test fuzz_replay.<what> running corpus/<what> through it.
function(frame_fuzz_replay what lib)
  add_executable(fuzz_${what}_replay ${FRAME_FUZZ_DIR}/fuzz_${what}.c
                 ${FRAME_FUZZ_DIR}/fuzz_main.c)
  target_link_libraries(fuzz_${what}_replay PRIVATE ${lib} frame_warnings)
  target_compile_options(fuzz_${what}_replay PRIVATE -UNDEBUG)
  add_test(NAME fuzz_replay.${what}
           COMMAND fuzz_${what}_replay ${FRAME_FUZZ_DIR}/corpus/${what})
  set_tests_properties(fuzz_replay.${what} PROPERTIES LABELS fuzz TIMEOUT 60)
endfunction()

frame_fuzz_replay(header frame_static)
if(TARGET frame_png)
  frame_fuzz_replay(png frame_png)
endif()

if(FRAME_BUILD_FUZZERS AND NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(WARNING "FRAME_BUILD_FUZZERS: libFuzzer needs clang, not "
                  "${CMAKE_C_COMPILER_ID}; only the replay programs are built")
elseif(FRAME_BUILD_FUZZERS)
  # Not frame_warnings: FRAME_SANITIZE=thread would clash with ASan here.
  set(FRAME_FUZZ_FLAGS -fsanitize=fuzzer,address,undefined
      -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)

  # The library itself instrumented for coverage: its own sources again,
  # not frame_static, which is built without.
  get_target_property(_fuzz_src frame_objects SOURCES)
  get_target_property(_fuzz_dir frame_objects SOURCE_DIR)
  list(TRANSFORM _fuzz_src PREPEND ${_fuzz_dir}/)
  add_library(frame_fuzz_objects OBJECT ${_fuzz_src})
  # frame_objects' include directories: the sources' and the generated
  # frame_version.h's.
  target_include_directories(frame_fuzz_objects PUBLIC
    $<TARGET_PROPERTY:frame_objects,INTERFACE_INCLUDE_DIRECTORIES>)
  target_compile_definitions(frame_fuzz_objects PUBLIC _GNU_SOURCE
                             FRAME_STATIC_DEFINE)
  target_compile_options(frame_fuzz_objects PRIVATE
    -fsanitize=fuzzer-no-link,address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)

  add_executable(fuzz_header ${FRAME_FUZZ_DIR}/fuzz_header.c
                 $<TARGET_OBJECTS:frame_fuzz_objects>)
  target_link_libraries(fuzz_header PRIVATE frame_fuzz_objects
                        Threads::Threads $<$<BOOL:${FRAME_SHM_IN_LIBRT}>:rt>)

  set(_fuzzers fuzz_header)
  if(TARGET frame_png)
    # The reader's source again, not frame_png: it must be instrumented.
    add_executable(fuzz_png ${FRAME_FUZZ_DIR}/fuzz_png.c
                   ${PROJECT_SOURCE_DIR}/png/png_load.c)
    target_include_directories(fuzz_png PRIVATE ${PROJECT_SOURCE_DIR}/png)
    target_compile_definitions(fuzz_png PRIVATE _GNU_SOURCE FRAME_LIBFUZZER)
    # zlib for the custom mutator's CRCs; PNG::PNG brings it already.
    target_link_libraries(fuzz_png PRIVATE PNG::PNG
                          $<$<TARGET_EXISTS:ZLIB::ZLIB>:ZLIB::ZLIB>)
    list(APPEND _fuzzers fuzz_png)
  endif()
  foreach(t ${_fuzzers})
    target_compile_options(${t} PRIVATE ${FRAME_FUZZ_FLAGS} -Wall -Wextra
                           -UNDEBUG)
    target_link_options(${t} PRIVATE ${FRAME_FUZZ_FLAGS})
  endforeach()
endif()
