/*
 * compiler.h - attribute macros used across kaigo.
 *
 * MUST_CHECK marks functions whose result decides access or durability;
 * ignoring it is a compile error under -Werror.
 */
#ifndef KAIGO_UTIL_COMPILER_H
#define KAIGO_UTIL_COMPILER_H

#define MUST_CHECK __attribute__((warn_unused_result))
#define NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#define FMT(a, b) __attribute__((format(printf, a, b)))
#define NORETURN __attribute__((noreturn))
#define UNUSED __attribute__((unused))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
