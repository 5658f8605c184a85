# The reader's life cycle against hostile and unlucky events: a corrupter
# under both viewers, framectl dump --follow and the sample reader; the
# sample on a truncated segment; writers of two pid namespaces (root only:
# skipped otherwise).
if(TARGET viewer AND TARGET producer AND TARGET framectl AND
   TARGET reader-example AND TARGET frame_png)
  frame_test(test_lifecycle SOURCES proc.c
    CASES corrupted_then_restarted sample_truncated bad_store_not_wedged
          waiting_handle search_backoff_capped copy_huge_stride
          pid_namespaces guard_remove_waits_for_handler
    LABELS lifecycle
    TIMEOUT 180)
  target_link_libraries(test_lifecycle PRIVATE frame_png)
  # search_backoff_capped watches the library's looks (shm_open) and sleeps
  # (clock_nanosleep) from inside, guard_remove_waits_for_handler holds the
  # SIGBUS handler in its mmap: the static library's calls go through the
  # test's wrappers.
  target_link_options(test_lifecycle PRIVATE
    -Wl,--wrap=shm_open -Wl,--wrap=clock_nanosleep -Wl,--wrap=mmap)
  target_compile_definitions(test_lifecycle PRIVATE
    VIEWER_PATH="$<TARGET_FILE:viewer>"
    PRODUCER_PATH="$<TARGET_FILE:producer>"
    FRAMECTL_PATH="$<TARGET_FILE:framectl>"
    READER_EXAMPLE_PATH="$<TARGET_FILE:reader-example>"
    VIEWER_LSAN_SUPP="${PROJECT_SOURCE_DIR}/viewer/lsan.supp")
  add_dependencies(test_lifecycle viewer producer framectl reader-example)
  set_tests_properties(test_lifecycle.pid_namespaces
                       PROPERTIES SKIP_RETURN_CODE 77)
else()
  message(WARNING "test_lifecycle not built: it needs the viewer, producer, "
          "framectl, reader-example and frame_png targets")
endif()
