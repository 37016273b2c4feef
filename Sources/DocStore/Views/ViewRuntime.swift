/// The JavaScript environment map and reduce functions run in: CouchDB's view helpers
/// (`emit`, `log`, `sum`, `toJSON`, `isArray`, `require` of CommonJS modules under
/// `views.lib`) and the entry points `ViewProgram` calls. Evaluated once in each design
/// document's own context, so whatever a function does to these globals stays there.
///
/// Entry points (values cross as JSON): `__divanSetup({maps, reduces, lib})` compiles the
/// functions (answers `["map"|"reduce", index, message]` for one that does not compile);
/// `__divanMap(doc)` answers `[[[key, value]…] per map function, [log lines]]`, a map
/// function that throws emitting nothing for the document and logging why, as CouchDB
/// does; `__divanReduce(i, keys, values, rereduce)` answers `[result, [log lines]]`.
enum ViewRuntime {
    static let source = #"""
    var __divanLogs = [];
    var __divanEmitted = null;
    var __divanMaps = [];
    var __divanReduces = [];
    var __divanLibrary = null;

    // Error objects stringify as {} in modern engines: keep their name and message.
    function __divanErrorToJSON(e) {
      if (typeof e === "object" && e !== null && "stack" in e && "name" in e && "message" in e) {
        return {error: e.name, message: e.message};
      }
      return e;
    }
    function log(message) {
      if (typeof message !== "string") message = JSON.stringify(__divanErrorToJSON(message));
      __divanLogs.push(String(message));
    }
    function emit(key, value) {
      if (__divanEmitted === null) throw new Error("emit is only available in map functions");
      __divanEmitted.push([key === undefined ? null : key, value === undefined ? null : __divanErrorToJSON(value)]);
    }
    function sum(values) {
      var total = 0;
      for (var i in values) total += values[i];
      return total;
    }
    function toJSON(value) { return JSON.stringify(value); }
    function isArray(value) { return Array.isArray(value); }

    // CommonJS over the design document's `views.lib`, paths relative to the requiring module.
    var __divanModules = {};
    function __divanRequire(path, parentID) {
      if (typeof path !== "string") throw ["error", "invalid_require_path", "Must require a JavaScript string, not: " + typeof path];
      var parts = path.split("/");
      var stack = (parts[0] === "." || parts[0] === "..") && parentID ? parentID.split("/").slice(0, -1) : [];
      for (var i = 0; i < parts.length; i++) {
        if (parts[i] === "..") {
          if (stack.length === 0) throw ["error", "invalid_require_path", "Object has no parent " + path];
          stack.pop();
        } else if (parts[i] !== "." && parts[i] !== "") {
          stack.push(parts[i]);
        }
      }
      var id = stack.join("/");
      if (Object.prototype.hasOwnProperty.call(__divanModules, id)) return __divanModules[id].exports;
      var current = {views: {lib: __divanLibrary}};
      for (var j = 0; j < stack.length; j++) {
        if (current === null || typeof current !== "object" || current[stack[j]] === undefined) {
          throw ["error", "invalid_require_path", "Object has no property \"" + stack[j] + "\". " + JSON.stringify(current)];
        }
        current = current[stack[j]];
      }
      if (typeof current !== "string") throw ["error", "invalid_require_path", "Must require a JavaScript string, not: " + typeof current];
      var module = {id: id, exports: {}};
      __divanModules[id] = module;
      try {
        var body = (0, eval)("(function (module, exports, require) { " + current + "\n })");
        body(module, module.exports, function (name) { return __divanRequire(name, id); });
      } catch (e) {
        delete __divanModules[id];
        throw ["error", "compilation_error", "Module require('" + path + "') raised error " + String(e)];
      }
      return module.exports;
    }
    function require(path) { return __divanRequire(path, null); }

    function __divanCompile(source) {
      var f = (0, eval)("(" + source + ")");
      if (typeof f !== "function") throw "Expression does not eval to a function. (" + source + ")";
      return f;
    }
    function __divanSetup(definition) {
      __divanLibrary = definition.lib;
      __divanModules = {};
      var kind = "map", index = 0;
      try {
        __divanMaps = definition.maps.map(function (s, i) { index = i; return __divanCompile(s); });
        kind = "reduce";
        __divanReduces = definition.reduces.map(function (s, i) { index = i; return s === null ? null : __divanCompile(s); });
      } catch (e) {
        return [kind, index, String(e)];
      }
      return null;
    }
    function __divanFreeze(value) {
      Object.freeze(value);
      for (var k in value) {
        var member = value[k];
        if (member !== null && typeof member === "object" && !Object.isFrozen(member)) __divanFreeze(member);
      }
      return value;
    }
    function __divanMap(doc) {
      __divanFreeze(doc);
      __divanLogs = [];
      var results = [];
      for (var i = 0; i < __divanMaps.length; i++) {
        __divanEmitted = [];
        try {
          __divanMaps[i](doc);
          results.push(__divanEmitted);
        } catch (err) {
          if (err === "fatal_error" || (Array.isArray(err) && err[0] === "fatal")) { __divanEmitted = null; throw err; }
          log("function raised exception " + String(err) + " with doc._id " + doc._id);
          results.push([]);
        }
      }
      __divanEmitted = null;
      return [results, __divanLogs];
    }
    function __divanReduce(i, keys, values, rereduce) {
      __divanLogs = [];
      var result = __divanReduces[i](keys, values, rereduce);
      return [result === undefined ? null : result, __divanLogs];
    }
    """#
}
