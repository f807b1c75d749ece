import Synchronization

/// User id → ids of the rooms they belong to (and, apart, those they are invited to): the reverse of
/// every room's member and invitation lists.
///
/// Room actors update it inside their turns, so it never disagrees with them for longer than a turn.
/// A lock rather than an actor: readers (presence fan-out, room lists) need it synchronously and often.
public final class MembershipIndex: Sendable {
    private let rooms = UserRooms()
    private let invitations = UserRooms()

    public init() {}

    public func add(_ userId: String, to roomId: String) { rooms.insert(roomId, for: userId) }

    public func remove(_ userId: String, from roomId: String) { rooms.remove(roomId, for: userId) }

    /// The rooms `userId` belongs to.
    public func rooms(of userId: String) -> Set<String> { rooms[userId] }

    public func addInvitation(_ userId: String, to roomId: String) { invitations.insert(roomId, for: userId) }

    public func removeInvitation(_ userId: String, from roomId: String) { invitations.remove(roomId, for: userId) }

    /// The rooms `userId` is invited to and not yet in.
    public func invitations(of userId: String) -> Set<String> { invitations[userId] }
}

/// User id → room ids, behind a lock; a user with none takes no entry.
private final class UserRooms: Sendable {
    private let map = Mutex<[String: Set<String>]>([:])

    func insert(_ roomId: String, for userId: String) {
        map.withLock { _ = $0[userId, default: []].insert(roomId) }
    }

    func remove(_ roomId: String, for userId: String) {
        map.withLock { map in
            map[userId]?.remove(roomId)
            if map[userId]?.isEmpty == true { map[userId] = nil }
        }
    }

    subscript(userId: String) -> Set<String> { map.withLock { $0[userId] ?? [] } }
}
