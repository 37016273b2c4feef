/// Just enough of Erlang's `io_lib:format("~p", …)` to give the reasons CouchDB's
/// replicator gives as printed terms (`replication_auth_error`), e.g.
///
///     {session_request_unauthorized,"http://127.0.0.1:5984/_session","bob"}
///
/// Only the shapes those reasons take: atoms, strings and tagged tuples of them.
enum ErlangTerm: Sendable, Equatable {
    case atom(String)
    case string(String)
    indirect case tuple([ErlangTerm])

    /// The term on one line.
    var flat: String {
        switch self {
        case .atom(let name): name
        case .string(let text): "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .tuple(let elements): "{" + elements.map(\.flat).joined(separator: ",") + "}"
        }
    }

    /// As `~p` prints it: on one line when it fits in 80 columns; otherwise a tuple
    /// tagged by an atom keeps its tag on the first line and fills each line with the
    /// elements that fit, continuing under the first element after the tag (CouchDB:
    /// `{session_request_failed,"http://h:5999/_session","admin",` then
    /// `{conn_failed,{error,econnrefused}}}` indented by 24).
    var pretty: String {
        let lineLength = 80
        guard flat.count > lineLength, case .tuple(let elements) = self, case .atom(let tag)? = elements.first, elements.count > 1 else {
            return flat
        }
        let indent = tag.count + 2
        var lines: [String] = []
        var line = "{" + tag + ","
        for (index, element) in elements.dropFirst().enumerated() {
            let piece = element.flat + (index == elements.count - 2 ? "}" : ",")
            if line.count + piece.count > lineLength, line.count > indent {
                lines.append(line)
                line = String(repeating: " ", count: indent)
            }
            line += piece
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
