# Pixel formats: the table, layouts, every format through a segment, and
# every conversion against the test's own reference (issue 13).
frame_test(test_formats
  CASES table layout round_trip begin_refusals sized_for_16bit
        convert_all_pairs convert_edges convert_refusals copy_converts
        sixteen_bits
  LABELS formats)
