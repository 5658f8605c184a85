# Hardening with real processes: valgrind over one producer and one reader
# run, the producer on a /dev/shm too small for its segment, and fault
# injection: readers killed under a writer, producers killed under the
# viewer and readers, a segment truncated or scribbled over under the
# viewer (the last three need the viewer).
if(TARGET producer AND TARGET make-samples AND TARGET frame_png)
  set(FRAME_HARDENING_CASES valgrind_producer_reader no_space
      readers_killed_writer_unaffected)
  set(FRAME_HARDENING_VIEWER_CASES producer_killed_50_times
      viewer_survives_truncation viewer_survives_scribbled_header)
  if(TARGET viewer)
    list(APPEND FRAME_HARDENING_CASES ${FRAME_HARDENING_VIEWER_CASES})
  else()
    message(WARNING "the hardening cases with the viewer are not built: "
            "the viewer target is not defined")
  endif()
  frame_test(test_hardening SOURCES proc.c
    CASES ${FRAME_HARDENING_CASES}
    LABELS hardening
    TIMEOUT 120)
  target_link_libraries(test_hardening PRIVATE frame_png)
  target_compile_definitions(test_hardening PRIVATE
    PRODUCER_PATH="$<TARGET_FILE:producer>"
    MAKE_SAMPLES_PATH="$<TARGET_FILE:make-samples>")
  add_dependencies(test_hardening producer make-samples)
  if(TARGET viewer)
    target_compile_definitions(test_hardening PRIVATE
      VIEWER_PATH="$<TARGET_FILE:viewer>"
      VIEWER_LSAN_SUPP="${PROJECT_SOURCE_DIR}/viewer/lsan.supp")
    add_dependencies(test_hardening viewer)
    # On two loaded cores these take 15-20 s, 9 s and 7 s, plain and under
    # ASan+UBSan alike; the timeouts leave room for a much busier machine.
    set_tests_properties(test_hardening.producer_killed_50_times
                         PROPERTIES TIMEOUT 300)
    set_tests_properties(test_hardening.viewer_survives_truncation
                         test_hardening.viewer_survives_scribbled_header
                         PROPERTIES TIMEOUT 180)
  endif()
  # valgrind cannot run sanitized programs: there the case says so and is
  # skipped; the plain build runs it. A missing valgrind fails it.
  if(FRAME_SANITIZE)
    target_compile_definitions(test_hardening PRIVATE FRAME_SANITIZED)
  endif()
  # valgrind 3.19 cannot read the DWARF 5 clang 14 writes: the case runs
  # valgrind on copies stripped of it.
  if(CMAKE_C_COMPILER_ID MATCHES "Clang" AND CMAKE_OBJCOPY)
    target_compile_definitions(test_hardening PRIVATE
                               OBJCOPY_PATH="${CMAKE_OBJCOPY}")
  endif()
  set_tests_properties(test_hardening.valgrind_producer_reader
                       test_hardening.no_space
                       PROPERTIES SKIP_RETURN_CODE 77)
endif()
