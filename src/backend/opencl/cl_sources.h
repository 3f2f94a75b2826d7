/* The kernel sources of cl/, embedded at build time by cmake/embed_cl.cmake. */
#ifndef CF_CL_SOURCES_H
#define CF_CL_SOURCES_H

#include <stddef.h>

struct cf_cl_source {
    const char *name; /* file name in cl/ ("conv2d.cl"); NULL ends the table */
    const char *text;
    size_t len;
};

/* common.cl first, then every other file in name order. */
extern const struct cf_cl_source cf_cl_sources[];

#endif
