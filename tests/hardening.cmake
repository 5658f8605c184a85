# Hardening with real processes: valgrind over one producer and one reader
# run, and the producer on a /dev/shm too small for its segment.
if(TARGET producer AND TARGET make-samples)
  frame_test(test_hardening
    CASES valgrind_producer_reader no_space
    LABELS hardening
    TIMEOUT 120)
  target_compile_definitions(test_hardening PRIVATE
    PRODUCER_PATH="$<TARGET_FILE:producer>"
    MAKE_SAMPLES_PATH="$<TARGET_FILE:make-samples>")
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
  add_dependencies(test_hardening producer make-samples)
  set_tests_properties(test_hardening.valgrind_producer_reader
                       test_hardening.no_space
                       PROPERTIES SKIP_RETURN_CODE 77)
endif()
