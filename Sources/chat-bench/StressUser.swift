import BenchCore
import MQTT
import Synchronization
import Wire

/// One stress user: a session doing random operations one at a time, and what it saw.
///
/// Membership changes are applied when the reply arrives, on the network thread, so they are ordered
/// with the events of the same session (the engine publishes a room's events before the reply).
final class StressUser: Sendable {
    struct State {
        var ledger = ReplyLedger()
        var timelines: [String: RoomTimeline] = [:]
        var memberOf: Set<String> = []
        /// A create is in flight: its room's first events arrive before the reply names the room.
        var creating = false
        /// Message ids this user sent (edit, delete) and saw (react, reply), by room.
        var ownMessages: [(room: String, id: String)] = []
        var seenMessages: [(room: String, id: String)] = []
        /// The rooms as syncs alone showed them.
        var synced = SyncedRooms()
        /// Device → the status its last answered presence request set.
        var devices: [String: String] = [:]
        var requests = 0
    }

    let id: String
    let world: StressWorld
    let state = Locked(State())
    let session: BenchSession
    let follower: RoomTopicFollower
    let peers: [String]
    /// Times a request without a reply is sent again with the same `request_id`, as PROTOCOL.md §1.10 tells
    /// clients to do: only under chaos, where the engine may die holding a request it had not yet stored.
    let retries: Int

    init(id: String, token: String, broker: BrokerOptions, world: StressWorld, peers: [String], retries: Int = 0) throws {
        self.id = id
        self.retries = retries
        self.world = world
        self.peers = peers
        let state = self.state
        let follower = RoomTopicFollower()
        self.follower = follower
        session = try BenchSession(
            userId: id, token: token, broker: broker, qos: 1,
            onReply: { reply in Self.observe(reply: reply, user: id, state: state, world: world, follower: follower) },
            onEvent: { message in Self.observe(event: message, state: state, world: world, follower: follower) })
        follower.attach(session.client)
    }

    // MARK: Network thread

    static func observe(reply: JSONValue, user: String, state: Locked<State>, world: StressWorld, follower: RoomTopicFollower) {
        let roomId = reply["room_id"]?.stringValue
        if let roomId {
            if let topic = reply["events_topic"]?.stringValue {
                world.usesRoomTopics()
                follower.follow(roomId, topic: topic)
            } else if reply["status"]?.stringValue == "left" {
                follower.leave(roomId)
            }
        }
        state.withLock { state in
            // A read is not remembered (PROTOCOL §1.6): its repeat runs again and may rightly differ.
            let fingerprint = ReadRoute.matches(topic: reply["topic"]?.stringValue) ? 0 : reply.hashValue
            state.ledger.replied(reply["request_id"]?.stringValue, fingerprint: fingerprint)
            guard let roomId else { return }
            switch reply["status"]?.stringValue {
            case "room_created":
                state.creating = false
                state.memberOf.insert(roomId)
                state.timelines[roomId, default: RoomTimeline()].open()
            case "joined", "already_member":
                state.memberOf.insert(roomId)
            case "left":
                state.memberOf.remove(roomId)
                state.timelines[roomId]?.close()
            default: break
            }
        }
        guard let roomId, let count = reply["member_count"]?.intValue else { return }
        switch reply["status"]?.stringValue {
        case "joined": world.withRoom(roomId) { $0.counts.joined(count: count); $0.members.insert(user) }
        case "left": world.withRoom(roomId) { $0.counts.left(count: count); $0.members.remove(user) }
        default: break
        }
    }

    static func observe(event message: MQTTMessage, state: Locked<State>, world: StressWorld, follower: RoomTopicFollower) {
        guard message.topic.hasSuffix("/messages") || message.topic.hasPrefix("chat/room/"),
              let payload = try? JSONParser.parse(message.payload)
        else { return }
        // A room topic carries an array of events, in seq order.
        for event in payload.arrayValue ?? [payload] { observe(event: event, state: state, world: world, follower: follower) }
    }

    private static func observe(event: JSONValue, state: Locked<State>, world: StressWorld, follower: RoomTopicFollower) {
        guard let roomId = event["room_id"]?.stringValue else { return }
        if event["type"]?.stringValue == "room_topic", let topic = event["events_topic"]?.stringValue {
            return follower.follow(roomId, topic: topic)
        }
        guard let seq = event["seq"]?.intValue,
              let messageId = event["id"]?.stringValue, ["text", "image", "file", "system"].contains(event["type"]?.stringValue)
        else { return }
        state.withLock { state in
            // Direct rooms have no join: membership starts with the first message.
            if state.timelines[roomId] == nil, state.creating || roomId.hasPrefix("private_") {
                state.timelines[roomId, default: RoomTimeline()].open()
            }
            state.timelines[roomId, default: RoomTimeline()].deliver(UInt64(seq))
            if event["type"]?.stringValue != "system" { state.seenMessages.append((roomId, messageId)) }
            if state.seenMessages.count > 200 { state.seenMessages.removeFirst(100) }
        }
        world.withRoom(roomId) { $0.audit.deliver(seq: UInt64(seq), id: messageId) }
    }

    // MARK: Requests

    /// Sends one request with a fresh `request_id`, recorded in the ledger before it is published.
    func request(_ op: StressOp, _ topic: String, _ fields: [String: JSONValue] = [:]) async -> JSONValue? {
        let requestId = state.withLock { state -> String in
            state.requests += 1
            let requestId = "\(id)-\(state.requests)"
            state.ledger.sent(requestId)
            return requestId
        }
        var reply = await session.request(topic, fields, id: requestId)
        var attempt = 0
        while reply == nil && attempt < retries {
            attempt += 1
            state.withLock { $0.ledger.resent(requestId) }
            world.count(op, "retried after no reply")
            reply = await session.request(topic, fields, id: requestId)
        }
        let status = reply?.replyStatus ?? "no reply in 5 s"
        world.count(op, status)
        if status == "error:internal" { world.violation("\(op.rawValue) \(topic): internal error \(reply?.description ?? "")") }
        return reply
    }

    /// Does random operations until `deadline` (bench-clock µs) or `maxOps`.
    func run(ops: [StressOp], seed: UInt64, deadline: UInt64, maxOps: Int, maxRooms: Int) async {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<maxOps {
            guard BenchClock.micros() < deadline else { return }
            await perform(StressOp.pick(from: ops, using: &rng), rng: &rng, maxRooms: maxRooms)
            try? await Task.sleep(for: .milliseconds(Int.random(in: 1...20, using: &rng)))
        }
    }
}
