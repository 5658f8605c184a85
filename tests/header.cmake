frame_test(test_header SOURCES proc.c
  CASES names bad_formats round_trip abort_keeps_previous copy_helper
        modes_and_slots strerror_words corrupt_fixed_fields
        corrupt_frame_fields corrupt_plane_fields fixed_sizing_format
        old_abi_named small_and_foreign_objects other_owner no_space
        remove_stale fifo_at_name directory_at_name info_maps_header_only
        leftovers_swept objects_listed
  LABELS header)
set_tests_properties(test_header.other_owner test_header.no_space
                     PROPERTIES SKIP_RETURN_CODE 77)
target_compile_definitions(test_header PRIVATE
                           PROJECT_VERSION="${PROJECT_VERSION}")
