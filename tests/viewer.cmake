# The viewer end to end: real producer and viewer processes, the real SDL2
# (dummy and offscreen drivers, and an X11 window under xvfb-run, which
# must be installed: CI installs xvfb and xauth).
if(TARGET viewer AND TARGET producer AND TARGET frame_png)
  frame_test(test_viewer SOURCES proc.c test_viewer_util.c
    CASES snapshot_headless snapshot_dummy snapshot_offscreen snapshot_xvfb
          snapshot_xvfb_software size_changes follow_restart_headless
          follow_restart_window bad_segment_headless bad_segment_window
          wait_no_producer idle_cpu bad_usage no_display_headless
          full_speed_headless
          full_speed_dummy full_speed_xvfb hoarded_headless hoarded_dummy
          formats_headless formats_dummy formats_xvfb formats_xvfb_software
    LABELS viewer
    TIMEOUT 300)
  target_link_libraries(test_viewer PRIVATE frame_png m)
  target_compile_definitions(test_viewer PRIVATE
    VIEWER_PATH="$<TARGET_FILE:viewer>"
    PRODUCER_PATH="$<TARGET_FILE:producer>"
    VIEWER_LSAN_SUPP="${PROJECT_SOURCE_DIR}/viewer/lsan.supp")
  if(FRAME_SANITIZE)
    target_compile_definitions(test_viewer PRIVATE VIEWER_TEST_SANITIZED)
  endif()
  add_dependencies(test_viewer viewer producer)

  # Several segments in one window (issue 17): tiles, --all, the probe
  # driven by the test mode's synthetic events, the HUD's text and graph.
  frame_test(test_viewer_tiles SOURCES proc.c test_viewer_util.c
    CASES snapshots_xvfb snapshots_headless follow_restart all_picks_up probe
          hud idle_cpu
    LABELS viewer
    TIMEOUT 180)
  target_link_libraries(test_viewer_tiles PRIVATE frame_png m)
  target_compile_definitions(test_viewer_tiles PRIVATE
    VIEWER_PATH="$<TARGET_FILE:viewer>"
    PRODUCER_PATH="$<TARGET_FILE:producer>"
    VIEWER_LSAN_SUPP="${PROJECT_SOURCE_DIR}/viewer/lsan.supp")
  if(FRAME_SANITIZE)
    target_compile_definitions(test_viewer_tiles PRIVATE VIEWER_TEST_SANITIZED)
  endif()
  add_dependencies(test_viewer_tiles viewer producer)

  # The viewer's threads (a waiter per segment, a thread per segment when
  # headless) under ThreadSanitizer too: the TSan tree runs label tsan
  # only. Headless cases: SDL's video drivers are not instrumented.
  set_tests_properties(test_viewer.follow_restart_headless
    test_viewer.hoarded_headless test_viewer_tiles.snapshots_headless
    PROPERTIES LABELS "viewer;tsan")
else()
  message(WARNING "test_viewer not built: it needs the viewer, producer and "
          "frame_png targets, defined before tests/ is added")
endif()
