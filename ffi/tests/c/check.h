/* The checks of the C test programs: each counts, and a failure is printed and counted. */
#ifndef JWT_CORE_TEST_CHECK_H
#define JWT_CORE_TEST_CHECK_H

#include <stdio.h>

#include "jwt_core.h"

static int checks, failures;

#define CHECK(cond)                                                              \
    do {                                                                         \
        checks++;                                                                \
        if (!(cond)) {                                                           \
            failures++;                                                          \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_STATUS(call, expected)                                                 \
    do {                                                                             \
        jwt_status got_ = (call);                                                    \
        checks++;                                                                    \
        if (got_ != (expected)) {                                                    \
            failures++;                                                              \
            fprintf(stderr, "%s:%d: %s: got %d (%s), expected %s\n", __FILE__, __LINE__, \
                    #call, (int)got_, jwt_status_str(got_), #expected);              \
        }                                                                            \
    } while (0)

#endif
