import Actors
@testable import Engine
import Foundation
import Logging
import Persistence
import Synchronization
import Testing
import Wire

/// Journals through a real store, and can lose reply records: the journal a process killed between a
/// change and its reply leaves behind.
final class ReplyLosingChangeLog: ChangeLog {
    let store: ChatStore
    let losesReplies = Atomic<Bool>(false)

    init(store: ChatStore) {
        self.store = store
    }

    func append(_ entry: JournalEntry, origin: ChangeOrigin?) throws -> UInt64 {
        if case .reply = entry, losesReplies.load(ordering: .relaxed) { return store.lastLSN }
        return try store.append(entry, origin: origin)
    }
}

/// A request applied just before a crash, whose reply record did not make it to the journal, is
/// answered after the restart with the reply it would have had, and is not applied a second time.
struct LostReplyRecoveryTests {
    static let secret = "recovery-secret-0123456789abcdef-0123456789"
    static let logger = Logger(label: "recovery") { _ in SwiftLogNoOpLogHandler() }

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recovery-\(UUID().uuidString)").path
    let signer: TokenSigner

    init() throws {
        signer = try TokenSigner(secret: Self.secret)
    }

    func open() throws -> (ChatStore, RecoveredState) {
        try ChatStore.open(directory: directory, fsync: .no, logger: Self.logger, allowEmptyStart: false)
    }

    func makeCore(_ store: ChatStore, outbox: RecordingOutbox) throws -> (EngineCore, ReplyLosingChangeLog) {
        let configuration = EngineConfiguration(jwtSecret: Array(Self.secret.utf8), dataDirectory: nil, rateLimit: 0)
        let log = ReplyLosingChangeLog(store: store)
        return (try EngineCore(configuration: configuration, logger: Self.logger, outbox: outbox, changeLog: log), log)
    }

    func send(_ core: EngineCore, _ user: String, _ topic: String, _ requestId: String, _ fields: [String: JSONValue] = [:]) async {
        var payload = fields
        payload["token"] = .string(signer.sign(TokenClaims(sub: user, exp: Date().timeIntervalSince1970 + 3600)))
        payload["request_id"] = .string(requestId)
        await core.handle(InboundRequest(topic: topic, payload: JSONValue.object(payload).serialized(), credentials: .payloadOnly))
    }

    /// The last reply `user` got for `requestId`.
    func reply(_ outbox: RecordingOutbox, _ user: String, _ requestId: String) throws -> JSONValue {
        let replies = outbox.published.withLock { published in
            published.filter { $0.topic == "chat/user/\(user)/responses" }.compactMap { try? JSONParser.parse($0.payload) }
        }
        return try #require(replies.last { $0["request_id"]?.stringValue == requestId })
    }

    @Test func aRetryIsAnsweredFromTheJournaledChangeInsteadOfBeingAppliedAgain() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (store, _) = try open()
        let before = RecordingOutbox(keepPayloads: true)
        let (core, log) = try makeCore(store, outbox: before)
        await send(core, "alice", "chat/rooms/create", "c-1", ["name": "lobby"])
        let roomId = try #require(try reply(before, "alice", "c-1")["room_id"]?.stringValue)
        await send(core, "alice", "chat/message/\(roomId)", "m-0", ["content": "root"])
        let rootId = try #require(try reply(before, "alice", "m-0")["message_id"]?.stringValue)
        await send(core, "alice", "chat/rooms/create", "c-0", ["name": "vault", "type": "private"])
        let vaultId = try #require(try reply(before, "alice", "c-0")["room_id"]?.stringValue)

        // From here on, every change is journaled and every reply record lost.
        log.losesReplies.store(true, ordering: .relaxed)
        let lost: [(user: String, topic: String, id: String, fields: [String: JSONValue])] = [
            ("alice", "chat/rooms/create", "c-2", ["name": "second"]),
            ("bob", "chat/rooms/join/\(roomId)", "j-1", [:]),
            ("bob", "chat/message/\(roomId)", "m-1", ["content": "once"]),
            ("bob", "chat/message/\(rootId)/reply", "t-1", ["content": "in the thread"]),
            ("bob", "chat/private/alice", "p-1", ["content": "psst"]),
            ("alice", "chat/message/\(rootId)/edit", "e-1", ["content": "root, edited"]),
            ("alice", "chat/rooms/invite/\(vaultId)", "i-1", ["user_id": "carol"]),
        ]
        var original: [String: JSONValue] = [:]
        for request in lost {
            await send(core, request.user, request.topic, request.id, request.fields)
            original[request.id] = try reply(before, request.user, request.id)
        }
        await send(core, "bob", "chat/message/\(roomId)", "m-2", ["content": "goodbye"])
        let goodbyeId = try #require(try reply(before, "bob", "m-2")["message_id"]?.stringValue)
        await send(core, "bob", "chat/message/\(goodbyeId)/delete", "d-1")
        original["d-1"] = try reply(before, "bob", "d-1")
        await send(core, "bob", "chat/rooms/leave/\(roomId)", "l-1")
        original["l-1"] = try reply(before, "bob", "l-1")
        // Moderation: dave joins and is kicked, the room is locked and unlocked, the root deleted.
        let moderate = "chat/admin/rooms/\(roomId)/moderate"
        let moderation: [(user: String, topic: String, id: String, fields: [String: JSONValue])] = [
            ("dave", "chat/rooms/join/\(roomId)", "j-dave", [:]),
            ("alice", moderate, "k-1", ["action": "kick", "user_id": "dave"]),
            ("alice", moderate, "x-1", ["action": "lock"]),
            ("alice", moderate, "x-2", ["action": "unlock"]),
            ("alice", moderate, "z-1", ["action": "delete_message", "message_id": .string(rootId)]),
        ]
        for request in moderation {
            await send(core, request.user, request.topic, request.id, request.fields)
            original[request.id] = try reply(before, request.user, request.id)
        }
        let failed = original.filter { $0.value["status"]?.stringValue == "error" }
        #expect(failed.isEmpty, "\(failed)")
        try store.close()

        // The restart: the requests are unanswered in the journal, and the engine answers them first.
        let (reopened, recovered) = try open()
        #expect(Set(recovered.unansweredRequests.map(\.origin.userId)) == ["alice", "bob", "dave"])
        let after = RecordingOutbox(keepPayloads: true)
        let (restarted, _) = try makeCore(reopened, outbox: after)
        restarted.restore(recovered.state)
        #expect(restarted.processor.answer(recovered.unansweredRequests, now: Date().timeIntervalSince1970) == original.count + 1, "m-2 too")

        // Each retry (the client's, or the broker's redelivery) gets the very reply the crash lost.
        for request in lost {
            await send(restarted, request.user, request.topic, request.id, request.fields)
            #expect(try reply(after, request.user, request.id) == original[request.id], "\(request.id)")
        }
        await send(restarted, "bob", "chat/message/\(goodbyeId)/delete", "d-1")
        #expect(try reply(after, "bob", "d-1") == original["d-1"])
        await send(restarted, "bob", "chat/rooms/leave/\(roomId)", "l-1")
        #expect(try reply(after, "bob", "l-1") == original["l-1"])
        for request in moderation {
            await send(restarted, request.user, request.topic, request.id, request.fields)
            #expect(try reply(after, request.user, request.id) == original[request.id], "\(request.id)")
        }

        // And nothing was applied twice.
        await send(restarted, "alice", "chat/history/\(roomId)", "h-1", ["limit": 100])
        let contents = try reply(after, "alice", "h-1")["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } ?? []
        #expect(contents.filter { $0 == "once" }.count == 1)
        #expect(contents.filter { $0 == "in the thread" }.count == 1)
        #expect(!contents.contains("goodbye"))
        await send(restarted, "alice", "chat/rooms/list", "list", ["scope": "mine"])
        let rooms = try reply(after, "alice", "list")["rooms"]?.arrayValue ?? []
        #expect(rooms.filter { $0["name"]?.stringValue == "second" }.count == 1)
        await send(restarted, "bob", "chat/rooms/join/\(roomId)", "j-2")
        #expect(try reply(after, "bob", "j-2")["status"]?.stringValue == "joined")
        #expect(try reply(after, "bob", "j-2")["member_count"] == original["j-1"]?["member_count"])
        try reopened.close()
    }
}
