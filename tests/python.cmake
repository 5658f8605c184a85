# The Python module's pytest suites (issue 15), one ctest test per file,
# against the module in the build tree and the real programs.
# The suites run the real programs, so they need them built too.
if(NOT TARGET frame_python OR NOT TARGET producer OR NOT TARGET viewer
   OR NOT TARGET make-samples)
  return()
endif()

set(py_env
    PYTHONPATH=${FRAME_PYTHON_DIR}
    PYTHONDONTWRITEBYTECODE=1
    LIBFRAME_PRODUCER=$<TARGET_FILE:producer>
    LIBFRAME_VIEWER=$<TARGET_FILE:viewer>
    LIBFRAME_FRAMECTL=$<TARGET_FILE:framectl>
    LIBFRAME_MAKE_SAMPLES=$<TARGET_FILE:make-samples>)
set(py_labels python)
if(FRAME_SANITIZE MATCHES "address")
  # An instrumented module needs the ASan runtime loaded before anything
  # else in python3; preloading it works (children inherit it, and the
  # programs carry the same runtime). Python frees little at exit by
  # design, so leak checking is off here (the C tests keep it).
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                  OUTPUT_VARIABLE asan_rt OUTPUT_STRIP_TRAILING_WHITESPACE)
  list(APPEND py_env LD_PRELOAD=${asan_rt} LIBFRAME_SANITIZED=1
       ASAN_OPTIONS=detect_leaks=0)
elseif(FRAME_SANITIZE MATCHES "thread")
  # TSan cannot be preloaded into an uninstrumented interpreter.
  return()
endif()

foreach(suite formats interop leases restart lifetimes)
  add_test(NAME python.${suite}
           COMMAND ${FRAME_PYTHON_EXECUTABLE} -m pytest -q -p no:cacheprovider
                   ${PROJECT_SOURCE_DIR}/python/tests/test_${suite}.py)
  set_tests_properties(python.${suite} PROPERTIES
                       ENVIRONMENT "${py_env}" LABELS "${py_labels}"
                       TIMEOUT 300)
endforeach()

if(NOT FRAME_SANITIZE)
  add_test(NAME python.pip_install
           COMMAND sh ${PROJECT_SOURCE_DIR}/python/tests/pip-install.sh
                   ${FRAME_PYTHON_EXECUTABLE} ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/pip-install)
  set_tests_properties(python.pip_install PROPERTIES LABELS packaging
                       TIMEOUT 300)
endif()
