# The viewer's parts (issue 17) on their own: text with the real SDL2_ttf
# and font, the pixel probe, zoom and graphs, drawn by SDL's software
# renderer into a surface (no display needed).
if(NOT TARGET viewer_parts)
  return()
endif()
set(viewer_parts_cases
    text_ttf text_fallback text_missing_font text_clipped text_ttf_differs
    text_heights text_cache text_box
    probe_packed probe_yuv probe_against_library probe_errors
    zoom_fit_letterbox zoom_native_size zoom_around_cursor zoom_pan_clamped
    zoom_clipped_rects zoom_follows_changes
    graph_ring graph_buckets graph_wrap_and_prune graph_scale
    graph_draws_in_rect graph_respects_clip)
frame_test(test_viewer_parts CASES ${viewer_parts_cases} LABELS viewer
           TIMEOUT 60)
target_link_libraries(test_viewer_parts PRIVATE viewer_parts)
# LeakSanitizer: what libdbus keeps for the process's life (SDL_Init).
foreach(c ${viewer_parts_cases})
  set_property(TEST test_viewer_parts.${c} APPEND PROPERTY ENVIRONMENT
    "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/viewer/lsan.supp")
endforeach()
