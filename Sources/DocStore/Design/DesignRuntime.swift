/// The JavaScript environment of a design document's other functions
/// (`validate_doc_update`, `filters`), evaluated after `ViewRuntime.source` (which gives
/// `log`, `sum`, `toJSON`, `isArray`, `require`) in the design document's own context.
///
/// Functions compile on first use and stay compiled for the life of the context (one
/// design-document revision), as CouchDB's query server caches them per ddoc revision.
/// A function that does not compile fails only its own calls (CouchDB accepts the
/// design document and fails later; only views are checked on save).
///
/// Entry points answer `["ok", result]`, `["thrown", value]` (a value the function
/// threw, e.g. `{forbidden: "…"}`) or `["error", name, reason]` (an engine error, a
/// missing function, a compilation error); they never throw themselves, so the thrown
/// value's structure survives the crossing.
enum DesignRuntime {
    static let source = #"""
    var __divanDesign = {};
    var __divanFunctions = {};

    function __divanDesignSetup(ddoc) {
      __divanDesign = ddoc;
      __divanLibrary = (ddoc.views && ddoc.views.lib) || null;
      __divanModules = {};
      __divanFunctions = {};
      return null;
    }
    function __divanLookUp(path) {
      var key = path.join("/");
      if (Object.prototype.hasOwnProperty.call(__divanFunctions, key)) return __divanFunctions[key];
      var source = __divanDesign;
      for (var i = 0; i < path.length; i++) {
        if (source === null || typeof source !== "object" || !Object.prototype.hasOwnProperty.call(source, path[i])) {
          throw ["error", "not_found", "missing json key: " + path[i]];
        }
        source = source[path[i]];
      }
      var f;
      try {
        f = __divanCompile(source);
      } catch (e) {
        throw ["error", "compilation_error", String(e) + " (" + source + ")"];
      }
      __divanFunctions[key] = f;
      return f;
    }
    function __divanGuard(body) {
      try {
        return ["ok", body()];
      } catch (e) {
        if (Array.isArray(e) && e[0] === "error") return ["error", String(e[1]), String(e[2])];
        if (e !== null && typeof e === "object" && e.name && e.stack) return ["error", String(e.name), String(e.message)];
        return ["thrown", e === undefined ? null : __divanErrorToJSON(e)];
      }
    }
    function __divanValidate(newDoc, oldDoc, userCtx, secObj) {
      return __divanGuard(function () {
        __divanLookUp(["validate_doc_update"]).apply(__divanDesign, [newDoc, oldDoc, userCtx, secObj]);
        return 1;
      });
    }
    function __divanFilter(name, docs, req) {
      return __divanGuard(function () {
        var f = __divanLookUp(["filters", name]);
        var results = [];
        for (var i = 0; i < docs.length; i++) results.push((f.apply(__divanDesign, [docs[i], req]) && true) || false);
        return results;
      });
    }
    """#
}
