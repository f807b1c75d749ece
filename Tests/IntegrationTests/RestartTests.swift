import Actors
import Foundation
import Logging
import Persistence
import Testing
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// State survives restarts: graceful ones, SIGKILL right after an acknowledgement, and requests sent while
/// the engine was down are handled when it returns (SPEC §8).
@Suite(.timeLimit(.minutes(2)))
struct RestartTests {
    static func dataDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)").path
    }

    @Test func killNineAfterTheLastAcknowledgementLosesNothing() async throws {
        let broker = try await Broker()
        let engine = EngineProcess(port: broker.port, dataDirectory: Self.dataDirectory())
        try await engine.start()
        let alice = try await ChatClient(userId: "alice", port: broker.port)
        let bob = try await ChatClient(userId: "bob", port: broker.port)
        let roomId = try await alice.createRoom("durable", joinedBy: [bob])
        var lastSeq = 0
        for i in 0..<200 {
            let reply = try await alice.say(roomId, "message \(i)")
            lastSeq = try #require(reply["seq"]?.intValue)
        }
        let reacted = try await bob.request("chat/message/\(roomId):\(lastSeq)/react", ["emoji": "🔥"])
        #expect(reacted.status == "reaction_added")
        #expect(engine.stop(signal: SIGKILL) == 128 + SIGKILL)

        try await engine.start()
        let history = try await alice.request("chat/history/\(roomId)", ["limit": 100])
        let newest = try #require(history["messages"]?.arrayValue?.first)
        #expect(newest["content"]?.stringValue == "message 199")
        #expect(newest["seq"]?.intValue == lastSeq)
        #expect(newest["reactions"]?["🔥"]?.arrayValue == ["bob"])
        var contents: [String] = []
        var before: Int?
        repeat {
            var fields: [String: JSONValue] = ["limit": 100]
            if let before { fields["before"] = .number(Double(before)) }
            let page = try await alice.request("chat/history/\(roomId)", fields)
            contents += page["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } ?? []
            before = page["next_before"]?.intValue
        } while before != nil
        #expect(contents.filter { $0.hasPrefix("message ") }.count == 200)
        let next = try await alice.say(roomId, "after the crash")
        #expect(next["seq"]?.intValue == lastSeq + 1)
        #expect(try await bob.request("chat/rooms/join/\(roomId)").status == "already_member")
        engine.stop()
        broker.stop()
    }

    @Test func gracefulRestartWritesASnapshotAndRestoresFromIt() async throws {
        let broker = try await Broker()
        let directory = Self.dataDirectory()
        let engine = EngineProcess(port: broker.port, dataDirectory: directory)
        try await engine.start()
        let alice = try await ChatClient(userId: "alice", port: broker.port)
        let roomId = try await alice.createRoom("kept", ["type": "private"])
        _ = try await alice.request("chat/rooms/invite/\(roomId)", ["user_id": "bob"])
        _ = try await alice.say(roomId, "before")
        #expect(engine.stop(signal: SIGTERM) == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files.contains { $0.contains("snapshot") })
        #expect(engine.log().contains("snapshot written"))

        try await engine.start()
        #expect(engine.log().contains("state restored"))
        let bob = try await ChatClient(userId: "bob", port: broker.port)
        #expect(try await bob.request("chat/rooms/join/\(roomId)").status == "joined")
        let history = try await bob.request("chat/history/\(roomId)")
        #expect(history["messages"]?.arrayValue?.contains { $0["content"]?.stringValue == "before" } == true)
        engine.stop()
        broker.stop()
    }

    @Test func requestsSentWhileTheEngineIsDownAreHandledWhenItReturns() async throws {
        let broker = try await Broker()
        let engine = EngineProcess(port: broker.port, dataDirectory: Self.dataDirectory())
        try await engine.start()
        let alice = try await ChatClient(userId: "alice", port: broker.port)
        let roomId = try await alice.createRoom()
        engine.stop()
        let ids = try (0..<5).map { i in try alice.send("chat/message/\(roomId)", ["content": .string("while down \(i)")]) }
        try await Task.sleep(for: .milliseconds(200))
        try await engine.start()
        for id in ids {
            #expect(try await alice.reply(to: id, timeout: 10).status == "message_sent")
        }
        let history = try await alice.request("chat/history/\(roomId)")
        let contents = history["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } ?? []
        #expect(Array(contents.prefix(5)) == (0..<5).reversed().map { "while down \($0)" })
        engine.stop()
        broker.stop()
    }

    @Test func aRetriedRequestAfterACrashIsAnsweredNotReapplied() async throws {
        let broker = try await Broker()
        let engine = EngineProcess(port: broker.port, dataDirectory: Self.dataDirectory())
        try await engine.start()
        let alice = try await ChatClient(userId: "alice", port: broker.port)
        let roomId = try await alice.createRoom()
        try alice.send("chat/message/\(roomId)", ["content": "exactly once"], requestId: "retry-me")
        let first = try await alice.reply(to: "retry-me")
        engine.stop(signal: SIGKILL)
        try await engine.start()
        try alice.send("chat/message/\(roomId)", ["content": "exactly once"], requestId: "retry-me")
        try await alice.waitUntil("second reply") {
            alice.count { topic, json in topic.hasSuffix("/responses") && json["request_id"]?.stringValue == "retry-me" } == 2
        }
        let replies = alice.received(on: "/responses").filter { $0["request_id"]?.stringValue == "retry-me" }
        #expect(replies.last == first)
        let history = try await alice.request("chat/history/\(roomId)")
        #expect(history["messages"]?.arrayValue?.filter { $0["content"]?.stringValue == "exactly once" }.count == 1)
        engine.stop()
        broker.stop()
    }

    /// SIGKILL can land after a request's change is journaled and before its reply is: the journal then
    /// holds bob's join and no answer. The restarted engine answers the retry from the change.
    @Test func aRetryWhoseReplyTheCrashLostIsAnsweredFromItsChange() async throws {
        let broker = try await Broker()
        let directory = Self.dataDirectory()
        let engine = EngineProcess(port: broker.port, dataDirectory: directory)
        try await engine.start()
        let alice = try await ChatClient(userId: "alice", port: broker.port)
        let roomId = try await alice.createRoom("crash-window")
        #expect(engine.stop(signal: SIGKILL) == 128 + SIGKILL)

        // What the killed engine would have left: the join journaled for bob's request, no reply record.
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        let (store, _) = try ChatStore.open(directory: directory, fsync: .always, logger: logger, allowEmptyStart: false)
        let join = ChangeOrigin(userId: "bob", requestKey: "chat/rooms/join/\(roomId)\u{0}join-1")
        _ = try store.append(.room(id: roomId, .joined(Member(userId: "bob", name: "bob", joinedAt: Date().timeIntervalSince1970))), origin: join)
        try store.close()

        try await engine.start()
        #expect(engine.log().contains("replies rebuilt from their changes"))
        let bob = try await ChatClient(userId: "bob", port: broker.port)
        try bob.send("chat/rooms/join/\(roomId)", requestId: "join-1")
        let retried = try await bob.reply(to: "join-1")
        #expect(retried.status == "joined")
        #expect(retried["member_count"]?.intValue == 2)
        #expect(try await bob.request("chat/rooms/join/\(roomId)").status == "already_member")
        let info = try await alice.request("chat/rooms/\(roomId)/info")
        #expect(info["room"]?["member_count"]?.intValue == 2)
        engine.stop()
        broker.stop()
    }

    @Test func uploadedFilesSurviveARestart() async throws {
        let broker = try await Broker()
        let engine = EngineProcess(port: broker.port, dataDirectory: Self.dataDirectory())
        try await engine.start()
        let alice = try await ChatClient(userId: "alice", port: broker.port)
        let roomId = try await alice.createRoom()
        let content = FileTests.bytes(50_000)
        let uploaded = try await alice.request("chat/file/upload/\(roomId)", [
            "name": "notes.txt", "mime": "text/plain", "data": .string(Data(content).base64EncodedString()),
        ])
        let fileId = try #require(uploaded["file_id"]?.stringValue)
        engine.stop(signal: SIGKILL)
        try await engine.start()
        let downloaded = try await FileTests.download(alice, fileId, chunk: 1_000_000)
        #expect(FileTests.hex(downloaded) == FileTests.hex(content))
        engine.stop()
        broker.stop()
    }

    @Test func unreadableSnapshotsRefuseAnEmptyStart() async throws {
        let broker = try await Broker()
        let directory = Self.dataDirectory()
        let engine = EngineProcess(port: broker.port, dataDirectory: directory)
        try await engine.start()
        let alice = try await ChatClient(userId: "alice", port: broker.port)
        _ = try await alice.createRoom()
        engine.stop()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.contains("snapshot") {
            try Data("garbage".utf8).write(to: URL(fileURLWithPath: directory + "/" + name))
        }
        await #expect(throws: (any Error).self) { try await engine.start() }
        engine.stop()
        #expect(engine.log().contains("snapshot"))
        try await engine.start(extra: ["--allow-empty-start"])
        engine.stop()
        broker.stop()
    }
}
