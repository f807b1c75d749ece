@testable import Actors
import Synchronization
import Testing

/// Records what a room actor journals and delivers, in order.
final class RecordingEffects: RoomEffects {
    let changes = Mutex<[RoomChange]>([])
    let events = Mutex<[(RoomEvent, [String])]>([])

    func record(_ change: RoomChange, roomId: String) throws(ChatError) -> UInt64 {
        changes.withLock { changes in
            changes.append(change)
            return UInt64(changes.count)
        }
    }

    /// Room-wide events with the audience they went to, and topic renames, in order.
    let audiences = Mutex<[(event: RoomEvent?, audience: RoomAudience)]>([])

    func deliver(_ event: RoomEvent, to recipients: [String]) {
        events.withLock { $0.append((event, recipients)) }
    }

    func broadcast(_ event: RoomEvent, in audience: RoomAudience) {
        audiences.withLock { $0.append((event, audience)) }
        deliver(event, to: audience.members)
    }

    func roomTopicRenamed(_ audience: RoomAudience, lastSeq: UInt64) {
        audiences.withLock { $0.append((nil, audience)) }
    }

    /// The events delivered so far that `matching` picks, with their recipients.
    func delivered<T>(_ matching: (RoomEvent) -> T?) -> [(T, [String])] {
        let all = events.withLock { $0 }
        return all.compactMap { event, to in matching(event).map { ($0, to) } }
    }

    /// Forgets what was delivered and broadcast so far (not the journal).
    func clearEvents() {
        events.withLock { $0.removeAll() }
        audiences.withLock { $0.removeAll() }
    }
}

/// Room "r1", created by alice at time 0 (its admin), with members joined in the order given at times
/// 1, 2, 3…; the effects and index the actor writes to. Names are the ids with a capital.
struct RoomFixture {
    let room: RoomActor
    let effects = RecordingEffects()
    let index = MembershipIndex()

    init(
        type: RoomType = .public, maxMembers: Int = 100, ringCapacity: Int = 1000, members: [String] = []
    ) async throws {
        let info = RoomInfo(id: "r1", name: "r", type: type, creatorId: "alice", createdAt: 0, maxMembers: maxMembers)
        let change = RoomChange.created(info, creator: Self.member("alice", at: 0))
        let state = RoomState.created(by: change, lsn: 1, ringCapacity: ringCapacity)!
        room = RoomActor(state: state, effects: effects, index: index, directory: RoomDirectory())
        for (offset, id) in members.enumerated() {
            if type == .private { _ = try await room.invite(id, by: "alice", isGlobalAdmin: false, now: 0) }
            _ = try await room.join(Self.member(id, at: Double(offset + 1)))
        }
    }

    static func member(_ id: String, at joinedAt: Double) -> Member {
        Member(userId: id, name: id.prefix(1).uppercased() + id.dropFirst(), joinedAt: joinedAt)
    }

    /// Posts `content` as `sender` at `now`.
    @discardableResult
    func post(
        _ sender: String, _ content: String, at now: Double = 100, replyTo: String? = nil, inThread: Bool = false,
        globalAdmin: Bool = false
    ) async throws(ChatError) -> ChatMessage {
        try await room.post(
            MessageDraft(
                senderId: sender, senderName: sender, senderIsGlobalAdmin: globalAdmin, content: content,
                replyTo: replyTo, inThread: inThread),
            now: now)
    }

    /// Posts `count` messages "m0", "m1"… as `sender`, one second apart from `start`.
    @discardableResult
    func post(_ count: Int, by sender: String = "alice", from start: Double = 100) async throws -> [ChatMessage] {
        var posted: [ChatMessage] = []
        for i in 0..<count { posted.append(try await post(sender, "m\(i)", at: start + Double(i))) }
        return posted
    }

    /// The system notices posted so far, oldest first.
    func notices() async -> [ChatMessage] {
        let ring = await room.snapshot().ring
        return (0..<ring.count).map { ring[$0] }.filter { $0.kind == .system }
    }

    var state: RoomState { get async { await room.snapshot() } }
}
