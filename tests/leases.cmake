# Reader leases (issue 14): holders killed, hostile and too many, a writer
# lost under a hold, holds counted per handle, copies that hold. Verdicts
# are events (slots used, releases' answers, locks the kernel reports); the
# timeout is a hang guard.
frame_test(test_leases SOURCES proc.c writer_proc.c
  CASES killed_holder_frees_slot hostile_holds_every_slot
        more_holders_than_promise rehold_breaks_oldest writer_lost_while_held
        same_frame_holds copy_holds_1080p writer_locks_bounded
  LABELS leases
  TIMEOUT 300)
