import Actors
@testable import Engine
import Foundation
import Logging
import Synchronization
import Testing
import Wire

/// Counts what the engine publishes, per topic.
final class RecordingOutbox: Outbox {
    let published = Mutex<[(topic: String, payload: [UInt8])]>([])
    let counts = Mutex<[String: Int]>([:])
    let keepPayloads: Bool

    init(keepPayloads: Bool = false) {
        self.keepPayloads = keepPayloads
    }

    func publish(topic: String, payload: [UInt8], correlationData: [UInt8]?) {
        counts.withLock { $0[topic, default: 0] += 1 }
        if keepPayloads { published.withLock { $0.append((topic, payload)) } }
    }

    func count(_ topic: String) -> Int { counts.withLock { $0[topic] ?? 0 } }
}

/// A small deterministic generator (SplitMix64), so a failing case can be replayed from its seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random and mutated payloads across every route, straight into the request pipeline: no crash, and
/// every request with a valid token gets exactly one reply.
struct FuzzTests {
    static let secret = "fuzz-secret-0123456789abcdef-0123456789"

    func makeCore(outbox: RecordingOutbox) throws -> EngineCore {
        var logger = Logger(label: "fuzz")
        logger.logLevel = .critical
        let configuration = EngineConfiguration(jwtSecret: Array(Self.secret.utf8), dataDirectory: nil, rateLimit: 0, maxFileSize: 64 * 1024)
        return try EngineCore(configuration: configuration, logger: logger, outbox: outbox, changeLog: VolatileChangeLog())
    }

    static let values: [JSONValue] = [
        .null, true, false, 0, -1, 1.5, 1e300, 4_294_967_296, "", "x", "   ", "👍", "@alice hello", "bit.ly/x",
        .string(String(repeating: "a", count: 5000)), .string(String(repeating: "é", count: 300)), [], [1, "a", nil],
        ["nested": ["deeper": [1, 2, 3]]], "public", "private", "lock", "slow_mode", "kick", "clear_history",
        "delete_message", "aGVsbG8=", "%%%", "image/png", "text/plain", "alice", "bob", "../etc/passwd", "a/b", "#", "+",
    ]
    static let keys = [
        "content", "name", "type", "max_members", "description", "user_id", "scope", "limit", "cursor", "before",
        "thread_id", "query", "seq", "emoji", "remove", "reply_to", "action", "seconds", "message_id", "room_id",
        "duration_seconds", "unmute", "unban", "older_than_seconds", "file_id", "caption", "data", "mime", "upload_id",
        "index", "total", "offset", "length", "request_id",
    ]

    @Test func hundredThousandRandomRequestsEachGetExactlyOneReply() async throws {
        let outbox = RecordingOutbox()
        let core = try makeCore(outbox: outbox)
        var random = SplitMix(state: 20_261_126)
        let signer = try TokenSigner(secret: Self.secret)
        let users = ["alice", "bob", "carol", "root"]
        let tokens = users.map { user in
            signer.sign(TokenClaims(sub: user, exp: Date().timeIntervalSince1970 + 3600, role: user == "root" ? "admin" : nil))
        }
        var roomIds = ["nope"]
        var messageIds = ["nope:1"]
        // Seed some real rooms and messages so the fuzz reaches deep handler paths too.
        for (index, user) in users.enumerated() {
            let payload = JSONValue.object(["token": .string(tokens[index]), "name": .string("room-\(user)")]).serialized()
            await core.handle(InboundRequest(topic: "chat/rooms/create", payload: payload, credentials: .payloadOnly))
        }
        for room in core.services.registry.all {
            roomIds.append(room.id)
            messageIds.append("\(room.id):1")
            for (index, _) in users.enumerated() {
                let join = JSONValue.object(["token": .string(tokens[index])]).serialized()
                await core.handle(InboundRequest(topic: "chat/rooms/join/\(room.id)", payload: join, credentials: .payloadOnly))
            }
        }
        let patterns = core.router.routes.map(\.pattern.description) + ["chat/unknown/route", "chat/rooms/x/y/z", "chat/"]
        func fill(_ pattern: String, _ random: inout SplitMix) -> String {
            pattern.split(separator: "/", omittingEmptySubsequences: false).map { level -> String in
                guard level.hasPrefix("{") else { return String(level) }
                switch Int.random(in: 0..<4, using: &random) {
                case 0: return roomIds.randomElement(using: &random)!
                case 1: return messageIds.randomElement(using: &random)!
                case 2: return users.randomElement(using: &random)!
                default: return String((0..<Int.random(in: 1...70, using: &random)).map { _ in "ab:.-_é9".randomElement(using: &random)! })
                }
            }.joined(separator: "/")
        }

        var attributable = 0
        for iteration in 0..<100_000 {
            // Lets the in-process engines and HTTP servers of tests running alongside onto the two-thread
            // pool: 100 000 requests back to back starved them into timeouts on CI.
            if iteration % 64 == 0 { await Task.yield() }
            let userIndex = Int.random(in: 0..<users.count, using: &random)
            let topic = fill(patterns.randomElement(using: &random)!, &random)
            var object: [String: JSONValue] = ["token": .string(tokens[userIndex])]
            for _ in 0..<Int.random(in: 0...5, using: &random) {
                object[Self.keys.randomElement(using: &random)!] = Self.values.randomElement(using: &random)!
            }
            object["request_id"] = .string("fuzz-\(iteration)")
            var payload = JSONValue.object(object).serialized()
            let mutate = Int.random(in: 0..<10, using: &random) == 0
            if mutate && !payload.isEmpty {
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let position = Int.random(in: 0..<payload.count, using: &random)
                    payload[position] = UInt8.random(in: 0...255, using: &random)
                }
                if Bool.random(using: &random) { payload.removeLast(Int.random(in: 0..<payload.count, using: &random)) }
            }
            let responses = "chat/user/\(users[userIndex])/responses"
            let before = outbox.count(responses)
            await core.handle(InboundRequest(topic: topic, payload: payload, credentials: .payloadOnly))
            let replies = outbox.count(responses) - before
            if mutate {
                #expect(replies <= 1, "iteration \(iteration): \(replies) replies to a mutated request on \(topic)")
            } else {
                attributable += 1
                #expect(replies == 1, "iteration \(iteration): \(replies) replies on \(topic) to \(String(decoding: payload, as: UTF8.self).prefix(300))")
            }
        }
        #expect(attributable > 85_000)
    }

    @Test func hostileEnvelopesGetNoReplyAndNoCrash() async throws {
        let outbox = RecordingOutbox()
        let core = try makeCore(outbox: outbox)
        let cases: [[UInt8]] = [
            [], Array("null".utf8), Array("[]".utf8), Array("\"token\"".utf8), Array(String(repeating: "[", count: 100_000).utf8),
            Array("{\"token\": 5}".utf8), Array("{\"token\": \"a.b.c\"}".utf8),
            Array("{\"token\": \"\(String(repeating: "x", count: 10_000))\"}".utf8),
            [0xff, 0xfe, 0x00], Array(repeating: 0x7b, count: 5_000_000),
        ]
        for payload in cases {
            await core.handle(InboundRequest(topic: "chat/rooms/create", payload: payload, credentials: .payloadOnly))
        }
        #expect(outbox.counts.withLock { $0.isEmpty })
        #expect(core.processor.counters.dropped.load(ordering: .relaxed) == cases.count)
    }

    /// A payload too large to be decoded at all is dropped before it takes a place in a lane, where its
    /// bytes would wait (a bulk lane holds 256 of up to the broker's message size).
    @Test func anUndecodablePayloadTakesNoPlaceInALane() throws {
        let core = try makeCore(outbox: RecordingOutbox())
        let dispatcher = Dispatcher<RequestProcessor.Work>(laneCount: 1, bulkLaneCount: 1, capacity: 1)
        let pipeline = RequestPipeline(router: core.router, processor: core.processor, dispatcher: dispatcher)
        let huge = InboundRequest(
            topic: "chat/file/upload/room", payload: Array(repeating: 0x7b, count: RequestProcessor.hardPayloadLimit + 1),
            credentials: .payloadOnly)
        let key = pipeline.classify(huge.topic).laneKey
        #expect(pipeline.offer(huge))
        #expect(core.processor.counters.dropped.load(ordering: .relaxed) == 1)
        #expect(dispatcher.hasRoom(key: key, bulk: true))
    }
}
