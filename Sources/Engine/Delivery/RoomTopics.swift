import Actors
import Crypto
import Synchronization

/// Names of room topics, `chat/room/{name}/events`, in `--fanout room-topic`.
///
/// The name is the first 128 bits of HMAC-SHA256(key, room id ‖ topic epoch), in hex: whoever is not told
/// it cannot guess it, and the broker refuses the one wildcard that would match it (the shipped dynamic
/// security rules), so a room topic reaches exactly the users the engine told its name. The epoch moves
/// on whenever a member leaves, so a former member never knows the name in use. Derived from the token
/// secret under its own label, names survive restarts without being stored.
public struct RoomTopics: @unchecked Sendable {
    // @unchecked: swift-crypto does not mark SymmetricKey Sendable, but it is an immutable value.
    private let key: SymmetricKey
    /// The name in use for each room: every event of a room needs it, and an HMAC per event was a tenth of
    /// the engine's request CPU in room-topic mode.
    private let names: NameCache

    public init(secret: [UInt8], cachedRooms: Int = 65_536) {
        let label = Array("chat-engine room topics".utf8)
        key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: label, using: SymmetricKey(data: secret)))
        names = NameCache(capacity: cachedRooms)
    }

    /// The topic of a room at `epoch`.
    public func topic(roomId: String, epoch: UInt64) -> String {
        if let cached = names.topic(roomId: roomId, epoch: epoch) { return cached }
        let topic = derive(roomId: roomId, epoch: epoch)
        names.store(topic, roomId: roomId, epoch: epoch)
        return topic
    }

    private func derive(roomId: String, epoch: UInt64) -> String {
        var input = Array(roomId.utf8)
        input.append(0)
        withUnsafeBytes(of: epoch.bigEndian) { input.append(contentsOf: $0) }
        let mac = HMAC<SHA256>.authenticationCode(for: input, using: key)
        let digits = Array("0123456789abcdef".utf8)
        var name = [UInt8]()
        name.reserveCapacity(32)
        for byte in mac.prefix(16) {
            name.append(digits[Int(byte >> 4)])
            name.append(digits[Int(byte & 0x0f)])
        }
        return "chat/room/" + String(decoding: name, as: UTF8.self) + "/events"
    }

    /// The topic `audience` hears now, or nil for a direct room (whose events stay in the two inboxes).
    public func topic(for audience: RoomAudience) -> String? {
        audience.isDirect ? nil : topic(roomId: audience.roomId, epoch: audience.topicEpoch)
    }
}

/// The last name derived for each room, bounded by `capacity` rooms (emptied when full: a name is cheap
/// to derive again, and rooms that are busy come back at once).
private final class NameCache: Sendable {
    private let entries = Mutex<[String: (epoch: UInt64, topic: String)]>([:])
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func topic(roomId: String, epoch: UInt64) -> String? {
        entries.withLock { entries in
            guard let entry = entries[roomId], entry.epoch == epoch else { return nil }
            return entry.topic
        }
    }

    func store(_ topic: String, roomId: String, epoch: UInt64) {
        entries.withLock { entries in
            if entries.count >= capacity && entries[roomId] == nil { entries.removeAll(keepingCapacity: true) }
            entries[roomId] = (epoch, topic)
        }
    }
}
