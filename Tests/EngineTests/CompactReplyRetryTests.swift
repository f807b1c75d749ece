import Actors
@testable import Engine
import Foundation
import Logging
import Persistence
import Testing
import Wire

/// A message post's reply is kept as its seq and timestamp (ReplyCache.Compact): a retry must still get
/// the byte-identical original reply (PROTOCOL §1.6), from the live cache and after a restart, and the
/// post must not be applied twice.
struct CompactReplyRetryTests {
    static let secret = "compact-secret-0123456789abcdef-0123456789"
    static let logger = Logger(label: "compact") { _ in SwiftLogNoOpLogHandler() }

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("compact-\(UUID().uuidString)").path
    let signer: TokenSigner

    init() throws {
        signer = try TokenSigner(secret: Self.secret)
    }

    func makeCore(_ store: ChatStore, outbox: RecordingOutbox) throws -> EngineCore {
        let configuration = EngineConfiguration(jwtSecret: Array(Self.secret.utf8), dataDirectory: nil, rateLimit: 0)
        return try EngineCore(configuration: configuration, logger: Self.logger, outbox: outbox, changeLog: ReplyLosingChangeLog(store: store))
    }

    func send(_ core: EngineCore, _ user: String, _ topic: String, _ requestId: String, _ fields: [String: JSONValue] = [:]) async {
        var payload = fields
        payload["token"] = .string(signer.sign(TokenClaims(sub: user, exp: Date().timeIntervalSince1970 + 3600)))
        payload["request_id"] = .string(requestId)
        await core.handle(InboundRequest(topic: topic, payload: JSONValue.object(payload).serialized(), credentials: .payloadOnly))
    }

    /// Every reply payload `user` got for `requestId`, in order.
    func replies(_ outbox: RecordingOutbox, _ user: String, _ requestId: String) -> [[UInt8]] {
        outbox.published.withLock { published in
            published.filter { $0.topic == "chat/user/\(user)/responses" }.map(\.payload).filter {
                (try? JSONParser.parse($0))?["request_id"]?.stringValue == requestId
            }
        }
    }

    @Test(arguments: [false, true])
    func aRetriedPostGetsTheByteIdenticalReplyLiveAndAfterARestart(throughSnapshot: Bool) async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (store, _) = try ChatStore.open(directory: directory, fsync: .no, logger: Self.logger, allowEmptyStart: false)
        let before = RecordingOutbox(keepPayloads: true)
        let core = try makeCore(store, outbox: before)
        await send(core, "alice", "chat/rooms/create", "c-1", ["name": "lobby"])
        let created = try #require(replies(before, "alice", "c-1").last)
        let roomId = try #require(try JSONParser.parse(created)["room_id"]?.stringValue)
        for index in 1...20 {
            await send(core, "alice", "chat/message/\(roomId)", "m-\(index)", ["content": .string("hello \(index)")])
        }
        let original = try #require(replies(before, "alice", "m-7").first)
        #expect(try JSONParser.parse(original)["status"]?.stringValue == "message_sent")
        await send(core, "alice", "chat/message/\(roomId)", "m-7", ["content": "hello 7"])
        #expect(replies(before, "alice", "m-7") == [original, original])
        if throughSnapshot {
            // What the snapshotter captures: the rooms, and the replies as the cache keeps them.
            var rooms: [RoomState] = []
            for room in core.services.registry.all { rooms.append(await room.snapshot()) }
            let saved = core.processor.replies.snapshot(now: core.services.now())
            #expect(saved.filter { $0.compact != nil }.count == 20)
            _ = try await store.writeSnapshot { EngineState(rooms: rooms, replies: saved) }
        }
        try store.close()

        let (reopened, recovered) = try ChatStore.open(directory: directory, fsync: .no, logger: Self.logger, allowEmptyStart: false)
        defer { try? reopened.close() }
        let after = RecordingOutbox(keepPayloads: true)
        let restarted = try makeCore(reopened, outbox: after)
        if throughSnapshot { #expect(recovered.recordsReplayed == 0 && recovered.state.replies.count == 21) }
        restarted.restore(recovered.state)
        await send(restarted, "alice", "chat/message/\(roomId)", "m-7", ["content": "hello 7"])
        #expect(replies(after, "alice", "m-7") == [original])

        await send(restarted, "alice", "chat/history/\(roomId)", "h-1", ["limit": 100])
        let history = try JSONParser.parse(try #require(replies(after, "alice", "h-1").last))
        let contents = history["messages"]?.arrayValue?.compactMap { $0["content"]?.stringValue } ?? []
        #expect(contents.filter { $0 == "hello 7" }.count == 1)
        #expect(contents.filter { $0.hasPrefix("hello ") }.count == 20)
    }
}
