# Cross-process tests of waiting and of writer faults: real processes,
# real /dev/shm. Timeouts are several times the worst case seen under
# AddressSanitizer on a loaded two-core machine.
#
# No ASAN_OPTIONS here: foreign_sigbus_still_fatal gives the one process
# that needs it handle_sigbus=0 itself (see the comment there), so the case
# also passes when run by hand, and every other process keeps ASan's
# defaults. (allow_user_segv_handler=0 or handle_sigbus=2 would be wrong:
# ASan would then silently ignore the library's sigaction() and the SIGBUS
# guard would not exist.)
frame_test(test_wait SOURCES writer_proc.c proc.c
  CASES wakes_on_publish times_out idle_cpu_near_zero wakes_on_close
        paused_state
  LABELS wait
  TIMEOUT 60)

frame_test(test_fault SOURCES writer_proc.c proc.c
  CASES sigkill_mid_frame new_writer_reattach live_writer_refused
        closed_then_restart truncated_under_reader foreign_sigbus_still_fatal
  LABELS fault
  TIMEOUT 90)
