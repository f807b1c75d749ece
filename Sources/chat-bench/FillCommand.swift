import ArgumentParser
import BenchCore
import Foundation
import Logging
import MQTT
import Synchronization
import Wire

/// `chat-bench fill`: fills a running engine with R rooms × M messages through the wire protocol.
///
/// Unlike `seed-snapshot` (which builds the state in memory), every room, member and message here is a
/// request the engine decodes, applies, journals and answers, so the engine ends up holding what real
/// clients leave behind: strings decoded from JSON, and (with request ids) its reply cache.
struct FillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill",
        abstract: "Fill a running engine with R rooms × M messages through the wire protocol.",
        discussion: """
            Users get uuid ids and short display names ("user N"), --members per room; rooms are spread \
            over --sessions MQTT sessions, each publishing requests with its users' tokens and keeping \
            --inflight messages unanswered. Messages are --content-length characters drawn from the same \
            vocabulary as seed-snapshot, sent round-robin over the rooms, each with a uuid request_id \
            (unless --no-request-ids). Start the engine with --rate-limit 0.
            """
    )

    @OptionGroup var broker: BrokerOptions

    @Option(help: "Rooms.")
    var rooms = 1000

    @Option(help: "Messages per room.")
    var messages = 1000

    @Option(help: "Members per room (uuid user ids).")
    var members = 5

    @Option(help: "Characters per message content.")
    var contentLength = 70

    @Option(help: "MQTT sessions that share the rooms.")
    var sessions = 4

    @Option(help: "Unanswered messages per session.")
    var inflight = 64

    @Flag(inversion: .prefixedNo, help: "Give every request a uuid request_id (the engine caches and journals each reply).")
    var requestIds = true

    @Option(help: "Seed of the ids and texts.")
    var seed: UInt64 = 7

    func validate() throws {
        guard rooms > 0, messages > 0, members > 0, contentLength > 0, sessions > 0, inflight > 0 else {
            throw ValidationError("rooms, messages, members, content length, sessions, inflight > 0")
        }
    }

    func run() async throws {
        let result = try await FillRun(command: self).run()
        print(result)
    }
}

/// One fill: sessions, rooms, then the messages.
final class FillRun: Sendable {
    struct Room: Sendable {
        var id = ""
        var members: [(userId: String, token: String)]
    }

    let options: FillCommand
    let signer: TokenSigner
    let tag = String(UInt32.random(in: 0x1000...0xFFFF), radix: 16)

    init(command: FillCommand) throws {
        options = command
        signer = try TokenSigner(secret: command.broker.jwtSecret)
    }

    func run() async throws -> String {
        let o = options
        var rng = SplitMix64(seed: o.seed)
        var rooms: [Room] = []
        for r in 0..<o.rooms {
            rooms.append(Room(members: (0..<o.members).map { m in
                let user = SeedText.uuid(&rng)
                let claims = TokenClaims(sub: user, exp: Date().timeIntervalSince1970 + 86_400, name: "user \(r * o.members + m)")
                return (user, signer.sign(claims))
            }))
        }
        let clock = ContinuousClock()
        let started = clock.now
        let shares = (0..<o.sessions).map { s in Array(stride(from: s, to: o.rooms, by: o.sessions)) }
        let counts = try await withThrowingTaskGroup(of: (sent: Int, ok: Int, failed: Int).self) { group in
            for (index, share) in shares.enumerated() where !share.isEmpty {
                let seed = rng.next()
                let sessionRooms = share.map { rooms[$0] }
                group.addTask { try await self.runSession(index, rooms: sessionRooms, seed: seed) }
            }
            var total = (sent: 0, ok: 0, failed: 0)
            for try await count in group {
                total.sent += count.sent
                total.ok += count.ok
                total.failed += count.failed
            }
            return total
        }
        let seconds = Double((clock.now - started).components.seconds) + Double((clock.now - started).components.attoseconds) / 1e18
        let rate = Double(counts.ok) / max(seconds, 1e-9)
        return #"{"bench":"fill","rooms":\#(o.rooms),"messages_sent":\#(counts.sent),"messages_ok":\#(counts.ok),"failed":\#(counts.failed),"seconds":\#((seconds * 10).rounded() / 10),"rate":\#(Int(rate)),"request_ids":\#(o.requestIds)}"#
    }

    /// One session: creates and joins its rooms, then sends its messages round-robin over them.
    private func runSession(_ index: Int, rooms: [Room], seed: UInt64) async throws -> (sent: Int, ok: Int, failed: Int) {
        let o = options
        let waiter = ReplyWaiter<JSONValue>()
        let window = InflightWindow(limit: o.inflight)
        let ok = Atomic<Int>(0)
        let failed = Atomic<Int>(0)
        var logger = Logger(label: "chat-bench.fill")
        logger.logLevel = .error
        let client = try MQTTClient(
            configuration: MQTTConfiguration(
                host: o.broker.mqttHost, port: o.broker.mqttPort, clientID: "fill-\(tag)-\(index)",
                username: o.broker.mqttUsername, password: o.broker.mqttPassword),
            logger: logger
        ) { message in
            guard let reply = try? JSONParser.parse(message.payload) else { return }
            if let id = reply["request_id"]?.stringValue, id.hasPrefix("setup-") {
                waiter.resolve(id, with: reply)
                return
            }
            if reply["status"]?.stringValue == "message_sent" {
                ok.add(1, ordering: .relaxed)
            } else {
                failed.add(1, ordering: .relaxed)
            }
            window.release()
        }
        defer { client.disconnect() }
        let users = rooms.flatMap { $0.members.map(\.userId) }
        try await client.connect(subscriptions: users.map { MQTTSubscription(filter: "chat/user/\($0)/responses", qos: 1) })

        func request(_ topic: String, token: String, _ fields: [String: JSONValue], id: String) async -> JSONValue? {
            var body = fields
            body["token"] = .string(token)
            body["request_id"] = .string(id)
            let payload = JSONValue.object(body).serialized()
            return await waiter.wait(for: id, timeout: 30) { (try? client.publish(topic: topic, payload: payload, qos: 1)) != nil }
        }

        var rooms = rooms
        for r in rooms.indices {
            let creator = rooms[r].members[0]
            let created = await request(
                "chat/rooms/create", token: creator.token,
                ["name": .string("fill \(tag) \(index)-\(r)"), "max_members": .number(Double(o.members + 10))],
                id: "setup-create-\(index)-\(r)")
            guard let roomId = created?["room_id"]?.stringValue else {
                throw LoadSetupError(message: "create room: \(created?.description ?? "no reply in 30 s")")
            }
            rooms[r].id = roomId
            for member in rooms[r].members.dropFirst() {
                let reply = await request("chat/rooms/join/\(roomId)", token: member.token, [:], id: "setup-join-\(roomId)-\(member.userId)")
                guard reply?.replyStatus == "joined" else {
                    throw LoadSetupError(message: "join: \(reply?.description ?? "no reply in 30 s")")
                }
            }
        }

        var rng = SplitMix64(seed: seed)
        let prefixes = rooms.map { room in room.members.map { Array("{\"token\":\"\($0.token)\",\"content\":\"".utf8) } }
        let topics = rooms.map { "chat/message/\($0.id)" }
        var sent = 0
        for _ in 0..<o.messages {
            for r in rooms.indices {
                await window.acquire()
                let sender = Int(rng.next() % UInt64(rooms[r].members.count))
                var payload = prefixes[r][sender]
                payload += SeedText.sentence(length: o.contentLength, &rng).utf8
                if o.requestIds { payload += "\",\"request_id\":\"\(SeedText.uuid(&rng))".utf8 }
                payload += "\"}".utf8
                do {
                    try client.publish(topic: topics[r], payload: payload, qos: 1)
                    sent += 1
                } catch {
                    failed.add(1, ordering: .relaxed)
                    window.release()
                }
            }
        }
        // Wait for the last replies (at most 30 s without progress).
        var last = -1
        var still = 0
        while ok.load(ordering: .relaxed) + failed.load(ordering: .relaxed) < sent, still < 300 {
            let now = ok.load(ordering: .relaxed)
            still = now == last ? still + 1 : 0
            last = now
            try await Task.sleep(for: .milliseconds(100))
        }
        return (sent, ok.load(ordering: .relaxed), failed.load(ordering: .relaxed))
    }
}
