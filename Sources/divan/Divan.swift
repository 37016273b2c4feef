import ArgumentParser
import DocStore

@main
struct Divan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "divan",
        abstract: "A CouchDB-compatible document database and S3-compatible object store in one binary.",
        version: DivanVersion.string,
        subcommands: [Version.self]
    )
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print("divan \(DivanVersion.string)") }
}
