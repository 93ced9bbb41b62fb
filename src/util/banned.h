/*
 * banned.h - poison unsafe libc calls. Include after every system header.
 * Use buf_*() for strings, strparse for numbers, date_* for calendar work.
 */
#ifndef KAIGO_UTIL_BANNED_H
#define KAIGO_UTIL_BANNED_H

#undef sprintf
#undef vsprintf
#undef strcpy
#undef strcat
#undef strncpy
#undef strncat
#pragma GCC poison strcpy strcat strncpy strncat sprintf vsprintf strtok
#pragma GCC poison atoi atol sscanf gmtime localtime ctime asctime mktemp gets

#endif
