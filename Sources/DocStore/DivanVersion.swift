/// Divan's version, reported by `divan version` and (later) `GET /`.
public enum DivanVersion {
    public static let string = "0.1.0"
}
