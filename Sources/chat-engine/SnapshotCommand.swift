import ArgumentParser
import Persistence

/// `chat-engine snapshot inspect|verify FILE`: look into a snapshot file without starting the engine.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Inspect or verify a snapshot file.",
        subcommands: [Inspect.self, Verify.self])

    /// Prints a summary: header, sizes and counts per kind.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a summary of a snapshot file.")

        @Argument(help: "A snapshot-*.chatsnap file.")
        var file: String

        func run() throws {
            print(try ChatStore.inspect(path: file))
        }
    }

    /// Decodes the whole file; exits non-zero when it is damaged.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a snapshot file end to end (exit 0 = good).")

        @Argument(help: "A snapshot-*.chatsnap file.")
        var file: String

        func run() throws {
            try ChatStore.verify(path: file)
            print("ok: \(file)")
        }
    }
}
