# Stress tests: processes on a real segment, and threads for ThreadSanitizer.
# validated runs until its frame count is reached, however long a loaded
# machine takes (about 7 s alone); the timeout is only a hang guard, as is
# the case's own "no progress for 30 s".
# The held cases (issue 14) add holders that keep each frame until the
# writer has published several more: within the promise every release says
# true; beyond it, releases say false, and looked at regardless (the
# unchecked control) held frames come out torn; whole ones only are ever
# accepted.
frame_test(test_stress SOURCES proc.c writer_proc.c
           CASES validated unvalidated_detects_tearing held_within_promise
                 held_validated held_unchecked_tears
           LABELS stress TIMEOUT 900)

set(FRAME_THREAD_CASES copy_readers wait_readers)
frame_test(test_threads CASES ${FRAME_THREAD_CASES} LABELS tsan threads
           TIMEOUT 120)
target_link_libraries(test_threads PRIVATE Threads::Threads)
# Harmless outside TSan builds; under TSan any report fails the test at
# once. No suppression is needed: see the note in test_threads.c.
set(FRAME_TSAN_OPTIONS "halt_on_error=1")
foreach(c ${FRAME_THREAD_CASES})
  set_tests_properties(test_threads.${c} PROPERTIES
                       ENVIRONMENT "TSAN_OPTIONS=${FRAME_TSAN_OPTIONS}")
endforeach()
