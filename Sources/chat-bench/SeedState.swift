import Actors
import BenchCore

/// A synthetic engine state for persistence benchmarks: R rooms × M messages, built through the
/// same `RoomState.apply` path replay uses.
enum SeedState {
    struct Shape {
        var rooms = 1000
        var messages = 1000
        var contentLength = 70
        var members = 5
        var seed: UInt64 = 42
    }

    /// Rooms with `<uuid>` ids, `members` members each (uuid user ids, short display names), and
    /// `messages` text messages per room (ids `<room>:<seq>`, seq 1…M, ~`contentLength` characters).
    static func make(_ shape: Shape) -> EngineState {
        var rng = SplitMix64(seed: shape.seed)
        let start = 1_750_000_000.0
        var rooms: [RoomState] = []
        rooms.reserveCapacity(shape.rooms)
        var lastSeen: [String: Double] = [:]
        for r in 0..<shape.rooms {
            let roomId = SeedText.uuid(&rng)
            let members = (0..<max(1, shape.members)).map { m in
                Member(userId: SeedText.uuid(&rng), name: "user \(r * shape.members + m)", joinedAt: start + Double(m))
            }
            let info = RoomInfo(
                id: roomId, name: "room \(r)", description: "benchmark room \(r)", type: .public,
                creatorId: members[0].userId, createdAt: start)
            var room = RoomState.created(
                by: .created(info, creator: members[0]), lsn: 0, ringCapacity: max(1000, shape.messages))!
            for member in members.dropFirst() { room.apply(.joined(member), lsn: 0) }
            for seq in 1...UInt64(max(1, shape.messages)) {
                let sender = members[Int(rng.next() % UInt64(members.count))]
                let message = ChatMessage(
                    roomId: roomId, seq: seq, senderId: sender.userId, senderName: sender.name,
                    content: SeedText.sentence(length: shape.contentLength, &rng), kind: .text,
                    timestamp: start + 100 + Double(seq) * 1.5 + Double(rng.next() % 1000) / 1000)
                room.apply(.posted(message), lsn: 0)
            }
            for member in members { lastSeen[member.userId] = start + 2000 }
            rooms.append(room)
        }
        return EngineState(rooms: rooms, lastSeen: lastSeen)
    }
}
