# The GStreamer plugin's tests (issue 16): real gst-launch-1.0 pipelines
# with the real producer (test_gst_pipelines) and GstHarness unit tests of
# the elements' states, caps changes and restarts (test_gst_harness), all
# against the plugin of this build tree.
if(NOT TARGET gstlibframe OR NOT TARGET producer)
  return()
endif()
# TSan cannot be preloaded into gst-launch-1.0, and GLib's own locking is
# invisible to it in the harness tests (reports about GStreamer's threads
# that are not ours): the plain and ASan trees run these.
if(FRAME_SANITIZE MATCHES "thread")
  return()
endif()
find_package(PkgConfig QUIET)
pkg_check_modules(GSTT QUIET IMPORTED_TARGET gstreamer-1.0
                  gstreamer-video-1.0 gstreamer-check-1.0
                  gstreamer-app-1.0)
find_program(GST_LAUNCH gst-launch-1.0)
if(NOT GSTT_FOUND OR NOT GST_LAUNCH)
  message(STATUS "gstreamer-check-1.0 or gst-launch-1.0 not found: "
                 "the GStreamer plugin's tests are not built")
  return()
endif()

# FRAME_GST_TEST_ENV (gst/CMakeLists.txt): the build tree's plugin, the
# tree's own registry (the user's cache is never touched) and, under ASan,
# the runtime preloaded into every process of the test: gst-launch-1.0 and
# gst-plugin-scanner are not instrumented (the scanner is a child of
# whichever process looks first; without the runtime it cannot load the
# plugin, and the registry then lists it as broken for good), with
# detect_leaks=0 for GLib's one-time allocations, kept until exit by design
# in every GStreamer process, ours included (the test programs gst_init()
# in-process).
foreach(prog test_gst_pipelines test_gst_harness)
  if(prog STREQUAL "test_gst_pipelines")
    set(cases sink_every_format sink_name_taken src_every_format
        src_close_is_eos src_lost_is_error src_missing_segment tcp_bridge
        rtp_raw rtp_h264)
  else()
    set(cases sink_state_cycles src_state_cycles src_waiting_unblocks
        sink_caps_change sink_strides_honoured sink_properties
        src_follow_restart)
  endif()
  frame_test(${prog} SOURCES gst/gst_util.c proc.c CASES ${cases}
             LABELS gst TIMEOUT 120)
  target_link_libraries(${prog} PRIVATE frame_png PkgConfig::GSTT)
  target_compile_definitions(${prog} PRIVATE
    PRODUCER_PATH="$<TARGET_FILE:producer>")
  add_dependencies(${prog} producer gstlibframe)
  foreach(c ${cases})
    set_tests_properties(${prog}.${c} PROPERTIES ENVIRONMENT
                         "${FRAME_GST_TEST_ENV}"
                         SKIP_RETURN_CODE 77)
  endforeach()
endforeach()
