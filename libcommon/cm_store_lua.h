// cm_store_lua — the source of the shared Redis Function library `sm`
// (docs/architecture.md §3), loaded by cm_store with FUNCTION LOAD REPLACE.
#ifndef LIBCOMMON_CM_STORE_LUA_H
#define LIBCOMMON_CM_STORE_LUA_H

// The library source as one string. Caller owns the result (free).
char *cm_store_lua_library(void);

#endif
