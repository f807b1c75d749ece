import Actors
import Foundation
import Logging
import Persistence
import Testing
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// Blocks survive restarts: from the journal after `kill -9`, from the snapshot after a graceful stop,
/// and a block whose reply the crash lost is answered from its journaled change, not applied again.
@Suite(.timeLimit(.minutes(2)))
struct UserBlockRestartTests {
    @Test func aBlockSurvivesKillNineAndAGracefulRestart() async throws {
        let broker = try await Broker()
        let directory = RestartTests.dataDirectory()
        let engine = EngineProcess(port: broker.port, dataDirectory: directory)
        try await engine.start()
        let alice = try await ChatClient(userId: "alice", port: broker.port)
        let bob = try await ChatClient(userId: "bob", port: broker.port)
        #expect(try await bob.request("chat/users/block/alice").status == "blocked")
        #expect(try await bob.request("chat/users/block/mallory").status == "blocked")
        #expect(try await bob.request("chat/users/block/mallory", ["unblock": true]).status == "unblocked")
        #expect(engine.stop(signal: SIGKILL) == 128 + SIGKILL)

        try await engine.start()
        #expect(try await bob.request("chat/users/blocked")["users"]?.arrayValue == ["alice"])
        #expect(try await alice.request("chat/private/bob", ["content": "hi"]).errorCode == "forbidden")
        #expect(engine.stop(signal: SIGTERM) == 0)
        #expect(engine.log().contains("snapshot written"))

        try await engine.start()
        #expect(try await bob.request("chat/users/blocked")["users"]?.arrayValue == ["alice"])
        #expect(try await alice.request("chat/private/bob", ["content": "hi"]).errorCode == "forbidden")
        engine.stop()
        broker.stop()
    }

    /// The killed engine journaled bob's block for request "blk-1" and died before its reply. The retry
    /// is answered from the change; an unblock bob sent in between is not undone by it.
    @Test func aBlockWhoseReplyTheCrashLostIsAnsweredFromItsChange() async throws {
        let broker = try await Broker()
        let directory = RestartTests.dataDirectory()
        let engine = EngineProcess(port: broker.port, dataDirectory: directory)
        try await engine.start()
        let bob = try await ChatClient(userId: "bob", port: broker.port)
        #expect(try await bob.request("chat/users/blocked").status == "success")
        #expect(engine.stop(signal: SIGKILL) == 128 + SIGKILL)

        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let (store, _) = try ChatStore.open(directory: directory, fsync: .always, logger: logger, allowEmptyStart: false)
        let origin = ChangeOrigin(userId: "bob", requestKey: "chat/users/block/alice\u{0}blk-1")
        _ = try store.append(.block(blockerId: "bob", userId: "alice", blocked: true), origin: origin)
        try store.close()

        try await engine.start()
        #expect(engine.log().contains("replies rebuilt from their changes"))
        #expect(try await bob.request("chat/users/blocked")["users"]?.arrayValue == ["alice"])
        #expect(try await bob.request("chat/users/block/alice", ["unblock": true]).status == "unblocked")
        try bob.send("chat/users/block/alice", requestId: "blk-1")
        let retried = try await bob.reply(to: "blk-1")
        #expect(retried.status == "blocked")
        #expect(retried["user_id"]?.stringValue == "alice")
        #expect(try await bob.request("chat/users/blocked")["users"]?.arrayValue == [])
        engine.stop()
        broker.stop()
    }
}
