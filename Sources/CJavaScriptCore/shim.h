#include <JavaScriptCore/JavaScript.h>
#include <stdbool.h>

/* Exported by libjavascriptcoregtk but declared only in WebKit's private header
   JSContextRefPrivate.h. After `limit` seconds of CPU time inside one entry into the VM,
   JSC calls `callback` (or, when it is NULL, terminates at once); returning true from the
   callback terminates the running script with an uncatchable exception. The limit applies
   to every context of the group. */
typedef bool (*JSShouldTerminateCallback)(JSContextRef ctx, void *context);
JS_EXPORT void JSContextGroupSetExecutionTimeLimit(JSContextGroupRef group, double limit,
                                                   JSShouldTerminateCallback callback, void *context);
JS_EXPORT void JSContextGroupClearExecutionTimeLimit(JSContextGroupRef group);
