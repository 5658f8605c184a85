if(TARGET producer AND TARGET frame_testimages)
  frame_test(test_producer
    SOURCES ${PROJECT_SOURCE_DIR}/producer/inputs.c proc.c
    CASES natural_order every_colour_type bad_files_skipped no_valid_input
          signals_clean_up live_name_refused watch_new_files
          natural_playback_order once_and_count threads_and_cache bad_usage
          fifo_input fifo_in_watch watch_overflow watch_folder_removed
          watch_not_a_directory watch_memory_flat segment_truncated
          frame_too_big sized_for_largest_frame make_samples_limit
    LABELS producer TIMEOUT 180)
  target_link_libraries(test_producer PRIVATE frame_testimages)
  target_include_directories(test_producer PRIVATE
    ${PROJECT_SOURCE_DIR}/producer ${PROJECT_SOURCE_DIR}/samples)
  target_compile_definitions(test_producer PRIVATE
    PRODUCER_PATH="$<TARGET_FILE:producer>"
    MAKE_SAMPLES_PATH="$<TARGET_FILE:make-samples>")
  add_dependencies(test_producer producer make-samples)

  frame_test(test_producer_formats
    SOURCES proc.c
    CASES native_every_image native_threads_and_cache convert_to_every_format
          sized_for_format format_names
    LABELS producer TIMEOUT 180)
  target_link_libraries(test_producer_formats PRIVATE frame_testimages)
  target_compile_definitions(test_producer_formats PRIVATE
    PRODUCER_PATH="$<TARGET_FILE:producer>")
  add_dependencies(test_producer_formats producer)
endif()
