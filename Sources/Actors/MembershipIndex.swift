import Synchronization

/// User id → ids of the rooms they belong to (and, apart, those they are invited to): the reverse of
/// every room's member and invitation lists.
///
/// Room actors update it inside their turns, so it never disagrees with them for longer than a turn.
/// A lock rather than an actor: readers (presence fan-out, room lists) need it synchronously and often.
public final class MembershipIndex: Sendable {
    private let rooms = Mutex<[String: Set<String>]>([:])
    private let invitations = Mutex<[String: Set<String>]>([:])

    public init() {}

    public func add(_ userId: String, to roomId: String) {
        rooms.withLock { _ = $0[userId, default: []].insert(roomId) }
    }

    public func remove(_ userId: String, from roomId: String) {
        rooms.withLock { index in
            index[userId]?.remove(roomId)
            if index[userId]?.isEmpty == true { index[userId] = nil }
        }
    }

    /// The rooms `userId` belongs to.
    public func rooms(of userId: String) -> Set<String> {
        rooms.withLock { $0[userId] ?? [] }
    }

    public func addInvitation(_ userId: String, to roomId: String) {
        invitations.withLock { _ = $0[userId, default: []].insert(roomId) }
    }

    public func removeInvitation(_ userId: String, from roomId: String) {
        invitations.withLock { index in
            index[userId]?.remove(roomId)
            if index[userId]?.isEmpty == true { index[userId] = nil }
        }
    }

    /// The rooms `userId` is invited to and not yet in.
    public func invitations(of userId: String) -> Set<String> {
        invitations.withLock { $0[userId] ?? [] }
    }
}
