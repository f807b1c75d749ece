import ArgumentParser
import Foundation
import Logging
import Persistence

/// `chat-bench seed-snapshot`: writes a large synthetic state as a snapshot, through `ChatStore`.
struct SeedSnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-snapshot",
        abstract: "Write a snapshot of R rooms × M messages into a data directory, and time it.",
        discussion: """
            Builds the state in memory (uuid room and user ids, ids <room>:<seq>, 5 members per room), \
            writes it with ChatStore.writeSnapshot (encode, zlib, temp file + fsync + rename), then \
            reopens the directory to time a restore. The directory must be empty or absent; start \
            the engine on it with `chat-engine serve --data-dir D`.
            """
    )

    @Option(help: "Rooms.")
    var rooms = 1000

    @Option(help: "Messages per room (the ring holds 1000).")
    var messages = 1000

    @Option(help: "Characters per message content.")
    var contentLength = 70

    @Option(help: "Members per room.")
    var members = 5

    @Option(help: "Data directory to create.")
    var dataDir: String

    @Flag(help: "Skip the timed restore after writing.")
    var noRestore = false

    func validate() throws {
        guard rooms > 0, messages > 0, messages <= 1000, contentLength > 0, members > 0 else {
            throw ValidationError("rooms, members, content length > 0; messages 1…1000")
        }
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: dataDir)) ?? []
        guard existing.isEmpty else { throw ValidationError("\(dataDir) is not empty") }
    }

    func run() async throws {
        var logger = Logger(label: "seed-snapshot")
        logger.logLevel = .warning
        let clock = ContinuousClock()
        var started = clock.now
        let state = SeedState.make(.init(rooms: rooms, messages: messages, contentLength: contentLength, members: members))
        let built = clock.now - started
        let count = state.rooms.reduce(0) { $0 + $1.ring.count }

        let (store, _) = try ChatStore.open(directory: dataDir, fsync: .no, logger: logger, allowEmptyStart: false)
        started = clock.now
        let info = try await store.writeSnapshot { state }
        let total = clock.now - started
        try store.close()
        print("seeded \(rooms) rooms × \(messages) messages = \(count) messages (\(contentLength)-char contents) in \(Self.ms(built)) ms")
        print("snapshot \(info.path)")
        print("  body \(Self.mb(info.bodySize)) MB, file \(Self.mb(info.fileSize)) MB (\(info.fileSize / max(1, count)) bytes/message on disk)")
        print("  encode \(Self.ms(info.encodeDuration)) ms, compress \(Self.ms(info.compressDuration)) ms, write+fsync \(Self.ms(info.writeDuration)) ms, total \(Self.ms(total)) ms")
        var restoreMs = -1.0
        if !noRestore {
            // Restore into a scratch copy would need a copy; opening the same directory only adds an empty journal file.
            let (again, recovered) = try ChatStore.open(directory: dataDir, fsync: .no, logger: logger, allowEmptyStart: false)
            try again.close()
            restoreMs = Self.ms(recovered.duration)
            print("  restore (ChatStore.open, in-process) \(restoreMs) ms: \(recovered.messageCount) messages")
        }
        print(#"{"bench":"seed-snapshot","rooms":\#(rooms),"messages":\#(count),"body_bytes":\#(info.bodySize),"file_bytes":\#(info.fileSize),"encode_ms":\#(Self.ms(info.encodeDuration)),"compress_ms":\#(Self.ms(info.compressDuration)),"write_ms":\#(Self.ms(info.writeDuration)),"restore_ms":\#(restoreMs)}"#)
    }

    static func ms(_ duration: Duration) -> Double {
        let c = duration.components
        return ((Double(c.seconds) * 1e3 + Double(c.attoseconds) / 1e15) * 10).rounded() / 10
    }

    static func mb(_ bytes: Int) -> Double { (Double(bytes) / 1e5).rounded() / 10 }
}
