import Actors
import ArgumentParser
import Engine
import Foundation
import Logging
import Persistence

#if canImport(Glibc)
import Glibc
#endif

/// `chat-bench restore-profile`: where a restore's time and the restored state's bytes go, in process.
struct RestoreProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore-profile",
        abstract: "Time the steps of a restore and count the heap bytes of what it rebuilds (in process).",
        discussion: """
            Works on copies of --data-dir (never modifies it). Heap bytes are the process's \
            (resident pages after malloc_trim) before and after each step, so they include malloc's own \
            overhead. Steps: ChatStore.open (the values), the same \
            values without the replies, then a whole ChatEngine restore (actors and reply cache).
            """
    )

    @Option(help: "A data directory (from seed-snapshot or restore-bench).")
    var dataDir: String

    func run() async throws {
        var logger = Logger(label: "restore-profile")
        logger.logLevel = .warning
        let work = NSTemporaryDirectory() + "restore-profile-\(getpid())"
        defer { SnapshotBenchCommand.shell("rm -rf '\(work)'") }
        SnapshotBenchCommand.shell("rm -rf '\(work)' && mkdir -p '\(work)' && cp -a '\(dataDir)' '\(work)/a' && cp -a '\(dataDir)' '\(work)/b'")

        print("MemoryLayout<ChatMessage>: size \(MemoryLayout<ChatMessage>.size), stride \(MemoryLayout<ChatMessage>.stride)")
        var before = Self.heapBytes()
        let (store, recovered) = try ChatStore.open(directory: work + "/a", fsync: .no, logger: logger, allowEmptyStart: false)
        try store.close()
        var state = recovered.state
        let messages = state.rooms.reduce(0) { $0 + $1.ring.count }
        let valuesBytes = Self.heapBytes() - before
        let p = recovered.phases
        print("ChatStore.open \(SeedSnapshotCommand.ms(recovered.duration)) ms: read \(SeedSnapshotCommand.ms(p.read)), inflate \(SeedSnapshotCommand.ms(p.inflate)), decode \(SeedSnapshotCommand.ms(p.decode)), replay \(SeedSnapshotCommand.ms(p.replay)) ms (\(recovered.recordsReplayed) records)")
        print("values: \(state.rooms.count) rooms, \(messages) messages, \(state.replies.count) replies: \(valuesBytes / 1024) KB heap = \(valuesBytes / max(1, messages)) bytes per message")
        before = Self.heapBytes()
        let replyCount = state.replies.count
        let replyPayload = state.replies.reduce(0) { $0 + $1.reply.count + $1.requestId.utf8.count + $1.userId.utf8.count }
        state.replies = []
        let repliesBytes = before - Self.heapBytes()
        print("  of which replies (values): \(repliesBytes / 1024) KB = \(repliesBytes / max(1, messages)) bytes per message, \(repliesBytes / max(1, replyCount)) per reply (payload+ids \(replyPayload / max(1, replyCount)))")
        Self.estimate(state, messages: messages)
        withExtendedLifetime(state) {}

        before = Self.heapBytes()
        let clock = ContinuousClock()
        let started = clock.now
        let engine = try ChatEngine(
            configuration: EngineConfiguration(
                jwtSecret: Array("chat-engine-development-secret-do-not-use-in-production".utf8), dataDirectory: work + "/b"),
            logger: logger)
        let engineMs = SeedSnapshotCommand.ms(clock.now - started)
        let engineBytes = Self.heapBytes() - before
        print("ChatEngine init (open + actors + reply cache): \(engineMs) ms, \(engineBytes / 1024) KB heap = \(engineBytes / max(1, messages)) bytes per message")
        withExtendedLifetime(engine) {}
    }

    /// A rough split of the values' bytes per message, assuming glibc's chunk sizes.
    static func estimate(_ state: EngineState, messages: Int) {
        func chunk(_ bytes: Int) -> Int { max(32, (bytes + 8 + 15) & ~15) }
        func heap(_ string: String) -> Int { string.utf8.count > 15 ? chunk(32 + string.utf8.count + 1) : 0 }
        var content = 0
        var names = 0
        var extras = 0
        var ringSlots = 0
        for room in state.rooms {
            ringSlots += room.ring.count
            for message in room.ring {
                content += heap(message.content)
                names += heap(message.senderName)
                if message.replyTo != nil || message.threadId != nil || !message.reactions.isEmpty || message.edited
                    || message.file != nil || message.isPrivate {
                    extras += 1
                }
            }
        }
        let n = max(1, messages)
        print("  estimate per message: inline \(MemoryLayout<ChatMessage>.stride), content heap \(content / n), sender name heap \(names / n), messages with extras \(extras)")
    }

    /// Resident bytes of this process after glibc's malloc has given its free pages back (`malloc_trim`):
    /// close to the live heap, since nothing else grows here.
    static func heapBytes() -> Int {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        // RTLD_DEFAULT (nil): malloc.h is not in the Glibc module.
        if let symbol = dlsym(nil, "malloc_trim") {
            _ = unsafeBitCast(symbol, to: Trim.self)(0)
        }
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return 0
        #endif
    }
}
