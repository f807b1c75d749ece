import ArgumentParser
import Foundation
import MQTT
import Synchronization
import Wire

/// `chat-bench sync-bench`: what `sync` costs a user who was away from many busy rooms, and whether it
/// holds up everyone else's messages meanwhile.
struct SyncBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync-bench",
        abstract: "Time `sync` for a user in many rooms with new messages, and other users' latency meanwhile.",
        discussion: """
            Against a running engine (rate limit off). Steps: a syncing user joins --rooms rooms; a first \
            sync takes their positions; --messages messages arrive in every room; then --syncs syncs from \
            those stale positions run back to back (each returns rooms × messages messages) while two other \
            users chat in a room of their own at --chat-rate messages/s. Prints sync p50/p99 and the \
            chatters' delivery latency p50/p99 before and during the syncs, in one run.
            """
    )

    @OptionGroup var broker: BrokerOptions

    @Option(help: "Rooms the syncing user is in.")
    var rooms = 200

    @Option(help: "New messages in each room while the user is away.")
    var messages = 50

    @Option(help: "Syncs to time.")
    var syncs = 20

    @Option(help: "Messages per second between the two chatters.")
    var chatRate = 100

    @Option(help: "Seconds of chat measured before the syncs.")
    var baselineSeconds = 3.0

    func run() async throws {
        let signer = try TokenSigner(secret: broker.jwtSecret)
        let tag = String(UInt32.random(in: 0x1000...0xFFFF), radix: 16)
        func session(_ name: String, onEvent: @escaping @Sendable (MQTTMessage) -> Void = { _ in }) async throws -> BenchSession {
            let userId = "sync-\(tag)-\(name)"
            let token = signer.sign(TokenClaims(sub: userId, exp: Date().timeIntervalSince1970 + 86_400, name: name))
            let session = try BenchSession(userId: userId, token: token, broker: broker, qos: 1, onEvent: onEvent)
            try await session.connect()
            return session
        }
        let delivered = Mutex<[UInt64]>([])
        let syncer = try await session("syncer")
        // One poster per 50 rooms: a user may create only so many (`--rooms-per-user`, 100 by default).
        var posters: [BenchSession] = []
        for p in 0..<max(1, (rooms + 49) / 50) { posters.append(try await session("poster\(p)")) }
        let talker = try await session("talker")
        let listener = try await session("listener") { message in
            // "t:<µs>" contents are the talker's timestamps.
            guard let event = try? JSONParser.parse(message.payload), event["type"]?.stringValue == "text",
                  let content = event["content"]?.stringValue, content.hasPrefix("t:"), let sent = UInt64(content.dropFirst(2))
            else { return }
            let now = BenchClock.micros()
            delivered.withLock { $0.append(now - sent) }
        }
        defer { ([syncer, talker, listener] + posters).forEach { $0.disconnect() } }
        var counter = 0
        func request(_ session: BenchSession, _ topic: String, _ fields: [String: JSONValue] = [:], timeout: Double = 30) async throws -> JSONValue {
            counter += 1
            guard let reply = await session.request(topic, fields, id: "\(tag)-\(counter)", timeout: timeout) else {
                throw ValidationError("no reply to \(topic) within \(timeout) s")
            }
            return reply
        }

        say("setting up \(rooms) rooms")
        var roomIds: [String] = []
        for r in 0..<rooms {
            let created = try await request(posters[r / 50], "chat/rooms/create", ["name": .string("sync bench \(r)")])
            guard let roomId = created["room_id"]?.stringValue else { throw ValidationError("create failed: \(created)") }
            _ = try await request(syncer, "chat/rooms/join/\(roomId)")
            roomIds.append(roomId)
        }
        let chatRoom = try await request(talker, "chat/rooms/create", ["name": "sync bench chat"])["room_id"]?.stringValue ?? ""
        _ = try await request(listener, "chat/rooms/join/\(chatRoom)")
        let first = try await request(syncer, "chat/sync", ["limit_per_room": 1], timeout: 60)
        var positions: [String: JSONValue] = [:]
        for entry in first["rooms"]?.arrayValue ?? [] {
            guard let id = entry["room_id"]?.stringValue else { continue }
            positions[id] = ["last_seq": entry["last_seq"] ?? 0, "change_seq": entry["change_seq"] ?? 0]
        }
        say("posting \(rooms * messages) messages")
        let content = JSONValue.string(String(repeating: "news from a busy room ", count: 3))
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Each poster fills its own rooms with sequential requests, the posters side by side.
            for (p, poster) in posters.enumerated() {
                let share = Array(roomIds[(p * 50)..<min(roomIds.count, (p + 1) * 50)])
                group.addTask {
                    for roomId in share {
                        for m in 0..<messages {
                            _ = await poster.request("chat/message/\(roomId)", ["content": content], id: "\(tag)-p\(p)-\(roomId)-\(m)", timeout: 30)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }

        // The chatters run for the whole measurement; the first `baselineSeconds` have no sync.
        let chatting = Task {
            let interval = UInt64(1_000_000 / max(1, chatRate))
            var next = BenchClock.micros()
            var n = 0
            while !Task.isCancelled {
                await BenchClock.sleep(until: next)
                next += interval
                n += 1
                _ = try? talker.client.publish(
                    topic: "chat/message/\(chatRoom)",
                    payload: JSONValue.object([
                        "token": .string(talker.token), "content": .string("t:\(BenchClock.micros())"),
                    ]).serialized(),
                    qos: 1)
            }
        }
        try await Task.sleep(for: .milliseconds(Int(baselineSeconds * 1000)))
        let baseline = delivered.withLock { values in
            defer { values = [] }
            return values
        }
        say("timing \(syncs) syncs")
        var durations: [Double] = []
        var returned = 0
        for _ in 0..<syncs {
            let start = BenchClock.micros()
            let reply = try await request(syncer, "chat/sync", ["rooms": .object(positions), "limit_per_room": .number(Double(messages))], timeout: 60)
            durations.append(Double(BenchClock.micros() - start) / 1000)
            returned = reply["rooms"]?.arrayValue?.reduce(0) { $0 + ($1["messages"]?.arrayValue?.count ?? 0) } ?? 0
        }
        chatting.cancel()
        try await Task.sleep(for: .milliseconds(500))
        let during = delivered.withLock { $0 }
        func percentile(_ values: [Double], _ p: Double) -> Double {
            guard !values.isEmpty else { return 0 }
            let sorted = values.sorted()
            return (sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 100).rounded() / 100
        }
        let base = baseline.map { Double($0) / 1000 }, busy = during.map { Double($0) / 1000 }
        print(#"{"bench":"sync","rooms":\#(rooms),"messages_per_room":\#(messages),"messages_per_sync":\#(returned),"#
            + #""sync_p50_ms":\#(percentile(durations, 0.5)),"sync_p99_ms":\#(percentile(durations, 0.99)),"#
            + #""chat_rate":\#(chatRate),"chat_p50_ms_before":\#(percentile(base, 0.5)),"chat_p99_ms_before":\#(percentile(base, 0.99)),"#
            + #""chat_p50_ms_during":\#(percentile(busy, 0.5)),"chat_p99_ms_during":\#(percentile(busy, 0.99)),"chat_delivered_during":\#(busy.count)}"#)
    }

    private func say(_ line: String) {
        FileHandle.standardError.write(Data("sync-bench: \(line)\n".utf8))
    }
}
