# libframesink's own quick checks (issue 16): real gst-launch-1.0 pipelines
# with the build tree's plugin, read back through libframe. The thorough
# pipeline and GstHarness tests are gst-tests' (tests/gst*.cmake).
if(NOT TARGET gstlibframe)
  return()
endif()
# An instrumented plugin needs the sanitizer's runtime loaded first in the
# uninstrumented gst-launch-1.0: preloaded for ASan, impossible for TSan.
if(FRAME_SANITIZE MATCHES "thread")
  return()
endif()
frame_test(test_gst_sink SOURCES proc.c
  CASES formats numbers_and_times errors other_clock_and_eos in_place
        unrendered_abort last_sample_kept caps_change_in_place pool_direct
  LABELS gst
  TIMEOUT 120)
target_link_libraries(test_gst_sink PRIVATE PkgConfig::GST)
pkg_get_variable(gst_system_plugins gstreamer-1.0 pluginsdir)
target_compile_definitions(test_gst_sink PRIVATE
  GST_PLUGIN_DIR="${FRAME_GST_PLUGIN_DIR_BUILD}"
  GST_SYSTEM_PLUGIN_DIR="${gst_system_plugins}")
if(FRAME_SANITIZE MATCHES "address")
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                  OUTPUT_VARIABLE gst_asan_rt
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  target_compile_definitions(test_gst_sink PRIVATE
    GST_TEST_PRELOAD="${gst_asan_rt}")
endif()
add_dependencies(test_gst_sink gstlibframe)
set_tests_properties(test_gst_sink.formats test_gst_sink.numbers_and_times
                     test_gst_sink.errors test_gst_sink.other_clock_and_eos
                     test_gst_sink.in_place test_gst_sink.unrendered_abort
                     test_gst_sink.last_sample_kept
                     test_gst_sink.caps_change_in_place test_gst_sink.pool_direct
                     PROPERTIES SKIP_RETURN_CODE 77)
