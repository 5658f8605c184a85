# A PNG's samples through the real producer (--format native) and viewer
# (--snapshot), headless and in an X window under xvfb-run (issue 13).
if(TARGET viewer AND TARGET producer AND TARGET make-samples AND
   TARGET frame_png)
  frame_test(test_roundtrip SOURCES proc.c
    CASES headless xvfb
    LABELS viewer
    TIMEOUT 900)
  target_link_libraries(test_roundtrip PRIVATE frame_png)
  target_compile_definitions(test_roundtrip PRIVATE
    VIEWER_PATH="$<TARGET_FILE:viewer>"
    PRODUCER_PATH="$<TARGET_FILE:producer>"
    MAKE_SAMPLES_PATH="$<TARGET_FILE:make-samples>"
    VIEWER_LSAN_SUPP="${PROJECT_SOURCE_DIR}/viewer/lsan.supp")
  if(FRAME_SANITIZE)
    target_compile_definitions(test_roundtrip PRIVATE VIEWER_TEST_SANITIZED)
  endif()
  add_dependencies(test_roundtrip viewer producer make-samples)
else()
  message(WARNING "test_roundtrip not built: it needs the viewer, producer, "
          "make-samples and frame_png targets")
endif()
