# libframesrc's own promises through GstHarness (issue 16): byte-exact
# frames of every format in GStreamer's layout, caps that follow the frames,
# wait, stop while waiting, EOS on close, error on a lost writer, follow
# across a restart, zero-copy leases, timestamps under a realtime clock.
# Pipelines with the plugin module are test_gst* (gst.cmake). Verdicts are
# events; the timeout is a hang guard.
if(NOT TARGET gstlibframe)
  return()
endif()
# GStreamer's own threads are not instrumented: TSan would report its
# locking as races.
if(FRAME_SANITIZE MATCHES "thread")
  return()
endif()
pkg_check_modules(GST_SRC_TEST QUIET IMPORTED_TARGET gstreamer-check-1.0
                  gstreamer-video-1.0 gstreamer-base-1.0)
if(NOT GST_SRC_TEST_FOUND)
  message(STATUS "gstreamer-check-1.0 not found: test_gst_src is not built")
  return()
endif()

frame_test(test_gst_src
  SOURCES proc.c ${PROJECT_SOURCE_DIR}/gst/libframesrc.c
          ${PROJECT_SOURCE_DIR}/gst/caps.c
  CASES formats_exact wait_missing stop_while_waiting closed_is_eos
        lost_is_error follow_restart zero_copy_leases
        realtime_clock
  LABELS gst
  TIMEOUT 60)
target_include_directories(test_gst_src PRIVATE ${PROJECT_SOURCE_DIR}/gst)
target_link_libraries(test_gst_src PRIVATE PkgConfig::GST_SRC_TEST)
# The element is registered from its sources: no plugin registry to read
# or write (the user's cache stays untouched).
set(gst_src_env GST_REGISTRY_DISABLE=yes)
if(FRAME_SANITIZE MATCHES "address")
  # GLib and GStreamer keep their one-time allocations (types, the
  # registry's structures) until exit by design.
  list(APPEND gst_src_env ASAN_OPTIONS=detect_leaks=0)
endif()
foreach(c formats_exact wait_missing stop_while_waiting closed_is_eos
          lost_is_error follow_restart zero_copy_leases realtime_clock)
  set_tests_properties(test_gst_src.${c} PROPERTIES
                       ENVIRONMENT "${gst_src_env}")
endforeach()
