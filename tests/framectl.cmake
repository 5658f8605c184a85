# framectl as users run it: the real binary against writer processes the
# test forks, in the real /dev/shm (clean_all: a private one, as root).
if(TARGET framectl)
  frame_test(test_framectl SOURCES proc.c
    CASES list_live_and_dead info_json clean_named clean_all dump_frames
          dump_size_change dump_broken_pipe bad_usage missing_segment
          list_hostile_names list_hostile_header
          dump_wait dump_follow dump_follow_resize dump_scribbled
          dump_formats_ffmpeg dump_format_change info_list_format info_list_held
          old_segment
    LABELS framectl
    TIMEOUT 60)
  target_compile_definitions(test_framectl PRIVATE
    FRAMECTL_PATH="$<TARGET_FILE:framectl>")
  add_dependencies(test_framectl framectl)
  set_tests_properties(test_framectl.clean_all PROPERTIES SKIP_RETURN_CODE 77)
endif()
