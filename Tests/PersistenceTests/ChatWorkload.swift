import Actors

@testable import Persistence

/// Plays the engine's part in store tests: generates a varied stream of journal entries and applies
/// each to a live state the way the actors would (independently of the replay code under test).
struct ChatWorkload {
    static let ringCapacity = 8
    var state = EngineState()
    private var rng: SplitMix64
    private var nextSeq: [String: UInt64] = [:]
    private let roomIds = ["general", "random", "dm:a:b"]

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// Appends `count` entries through `store` and applies each to ``state`` with its LSN.
    mutating func run(_ count: Int, on store: ChatStore) throws {
        for _ in 0..<count {
            let entry = next()
            apply(entry, lsn: try store.append(entry))
        }
    }

    mutating func apply(_ entry: JournalEntry, lsn: UInt64) {
        switch entry {
        case .room(let id, let change):
            if let index = state.rooms.firstIndex(where: { $0.info.id == id }) {
                state.rooms[index].apply(change, lsn: lsn)
            } else if let room = RoomState.created(by: change, lsn: lsn, ringCapacity: Self.ringCapacity) {
                state.rooms.append(room)
            }
        case .globalBan(let userId, let banned):
            if banned { state.globalBans.insert(userId) } else { state.globalBans.remove(userId) }
        case .reply(let reply):
            state.replies.append(reply)
        case .lastSeen(let userId, let at):
            state.lastSeen[userId] = at
        case .file(let file):
            if let index = state.files.firstIndex(where: { $0.info.fileId == file.info.fileId }) {
                state.files[index] = file
            } else {
                state.files.append(file)
            }
        case .fileRemoved(let fileId):
            state.files.removeAll { $0.info.fileId == fileId }
        case .block(let blockerId, let userId, let blocked):
            if blocked { state.blocks[blockerId, default: []].insert(userId) } else { state.blocks[blockerId]?.remove(userId) }
        case .pushDevice(let userId, let device):
            state.pushDevices[userId, default: []].removeAll { $0.deviceId == device.deviceId }
            state.pushDevices[userId, default: []].append(device)
        case .pushDeviceRemoved(let userId, let deviceId):
            state.pushDevices[userId]?.removeAll { $0.deviceId == deviceId }
            if state.pushDevices[userId]?.isEmpty == true { state.pushDevices[userId] = nil }
        case .pushQueued(let push):
            state.pendingPushes.append(push)
        case .pushFinished(let id):
            state.pendingPushes.removeAll { $0.id == id }
        }
    }

    /// The next entry: rooms are created first, then mostly posts with every other kind mixed in.
    mutating func next() -> JournalEntry {
        let users = ["u1", "u2", "u3", "u4"]
        if let missing = roomIds.first(where: { nextSeq[$0] == nil }) {
            nextSeq[missing] = 1
            let info = RoomInfo(id: missing, name: missing.uppercased(), type: .public, creatorId: "u1", createdAt: 1)
            return .room(id: missing, .created(info, creator: Member(userId: "u1", name: "U1", joinedAt: 1)))
        }
        let room = roomIds[Int(rng.next() % UInt64(roomIds.count))]
        let user = users[Int(rng.next() % UInt64(users.count))]
        let seq = nextSeq[room]!
        let recent = seq > 1 ? seq - 1 - rng.next() % min(seq - 1, 4) : 1
        let now = Double(rng.next() % 1_000_000) / 7
        switch rng.next() % 20 {
        case 0: return .room(id: room, .joined(Member(userId: user, name: user.uppercased(), joinedAt: now)))
        case 1: return .room(id: room, .left(userId: user, newAdmin: "u1"))
        case 2: return .room(id: room, .edited(seq: recent, content: "edited at \(now)", at: now))
        case 3: return .room(id: room, .deleted(seq: recent, at: now))
        case 4: return .room(id: room, .reacted(seq: recent, emoji: ["👍", "🎉"][Int(rng.next() % 2)], userId: user, added: rng.next() % 3 != 0))
        case 5: return .room(id: room, .muted(userId: user, until: rng.next() % 2 == 0 ? nil : now))
        case 6: return .room(id: room, .read(userId: user, seq: recent))
        case 7: return .globalBan(userId: user, banned: rng.next() % 2 == 0)
        case 8: return .lastSeen(userId: user, at: now)
        case 9: return .reply(CachedReply(userId: user, requestId: "req-\(rng.next() % 1000)", reply: [1, 2, 3], expiresAt: 4e9))
        case 10:
            let info = FileInfo(fileId: "f\(rng.next() % 3)", name: "a.txt", mime: "text/plain", size: 10, sha256: "00")
            return .file(StoredFile(info: info, uploaderId: user, uploadedAt: now, roomIds: [room]))
        case 11: return .room(id: room, [.locked(true), .slowMode(seconds: 5), .invited(userId: "u9", by: user, at: now), .unmuted(userId: user), .banned(userId: "u4"), .unbanned(userId: "u4"), .removed(seqs: [recent]), .activity(at: now)][Int(rng.next() % 8)])
        default:
            nextSeq[room] = seq + 1
            var message = ChatFixtures.plainMessage(room: room, seq: seq, content: "message \(seq) in \(room) from \(user)")
            message.senderId = user
            if seq % 5 == 0 { message.threadId = ChatMessage.id(roomId: room, seq: recent) }
            return .room(id: room, .posted(message))
        }
    }
}
