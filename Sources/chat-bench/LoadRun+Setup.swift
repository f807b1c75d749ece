import MQTT
import Wire

/// A load member: its session and what it received.
struct LoadMember: Sendable {
    let session: BenchSession
    let receiver: LoadReceiver
}

/// Sessions and rooms before the timed part.
extension LoadRun {
    /// Connects every member (20 at a time: each connect waits for its SUBACK).
    func connectAll() async throws -> [[LoadMember]] {
        let o = options
        var rows: [[LoadMember]] = []
        for room in 0..<o.rooms {
            var row: [LoadMember] = []
            for member in 0..<o.members {
                let sender = member < o.senders ? room * o.senders + member : nil
                let receiver = LoadReceiver(sender: sender, window: sender.map { _ in InflightWindow(limit: o.inflight) })
                let user = userId(room: room, member: member)
                let session = try BenchSession(userId: user, token: token(for: user), broker: o.broker, qos: o.qos) {
                    receiver.receive($0)
                }
                row.append(LoadMember(session: session, receiver: receiver))
            }
            rows.append(row)
        }
        let tag = self.tag
        let extra: @Sendable (Int) -> [String] = { o.mode == .directTopic ? ["bench/room/\(tag)-\($0)"] : [] }
        let all = rows.enumerated().flatMap { room, row in row.map { (room, $0) } }
        for batch in stride(from: 0, to: all.count, by: 20) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (room, member) in all[batch..<min(batch + 20, all.count)] {
                    group.addTask { try await member.session.connect(extraTopics: extra(room)) }
                }
                try await group.waitForAll()
            }
        }
        return rows
    }

    /// The topic each room's senders publish to; in engine mode creates the rooms and joins members.
    func prepareRooms(_ rows: [[LoadMember]]) async throws -> [String] {
        let o = options
        switch o.mode {
        case .direct: return (0..<o.rooms).map { "room-\(tag)-\($0)" }
        case .directTopic: return (0..<o.rooms).map { "bench/room/\(tag)-\($0)" }
        case .engine: break
        }
        return try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (room, row) in rows.enumerated() {
                group.addTask { (room, try await self.createAndJoin(row, name: "bench \(self.tag) \(room)")) }
            }
            var topics = Array(repeating: "", count: o.rooms)
            for try await (room, roomId) in group { topics[room] = "chat/message/\(roomId)" }
            return topics
        }
    }

    private func createAndJoin(_ row: [LoadMember], name: String) async throws -> String {
        let creator = row[0].session
        let created = await creator.request(
            "chat/rooms/create", ["name": .string(name), "max_members": .number(Double(row.count + 10))], id: "create-\(name)")
        guard let roomId = created?["room_id"]?.stringValue else {
            throw LoadSetupError(message: "create room: \(created?.description ?? "no reply in 5 s")")
        }
        // An engine in `--fanout room-topic` names the room's topic in each reply; members follow it.
        let qos = options.qos
        if let topic = created?["events_topic"]?.stringValue {
            await creator.client.subscribe(MQTTSubscription(filter: topic, qos: qos))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for member in row.dropFirst() {
                group.addTask {
                    // Every join is an event to every member so far: setting up an n-member room moves n²/2
                    // events, seconds for 500 members on a small machine. Setup is not measured.
                    let reply = await member.session.request("chat/rooms/join/\(roomId)", id: "join-\(roomId)", timeout: 60)
                    guard reply?.replyStatus == "joined" else {
                        throw LoadSetupError(message: "join \(member.session.userId): \(reply?.description ?? "no reply in 5 s")")
                    }
                    if let topic = reply?["events_topic"]?.stringValue {
                        await member.session.client.subscribe(MQTTSubscription(filter: topic, qos: qos))
                    }
                }
            }
            try await group.waitForAll()
        }
        return roomId
    }
}

/// Setup failed (no engine, refused request); the run cannot measure anything.
struct LoadSetupError: Error, CustomStringConvertible {
    var message: String
    var description: String { "load setup failed: \(message)" }
}
