/* SANITIZED, defined when this file is built with ASan or TSan: such builds
 * run many times slower, and the stress tests scale their work down. */
#ifndef LIBFRAME_TEST_SANITIZED_H
#define LIBFRAME_TEST_SANITIZED_H

/* GCC names sanitizers with macros, Clang with __has_feature. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

#endif
