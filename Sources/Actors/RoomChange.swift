/// One state change of a room: journaled before anyone hears of it, and replayed after a restart.
///
/// The live path and the replay path both go through `RoomState.apply(_:lsn:)`, so a change means the
/// same thing in both.
public enum RoomChange: Sendable, Equatable {
    case created(RoomInfo, creator: Member)
    case joined(Member)
    /// A member left or was removed; `newAdmin` is promoted when the last admin leaves.
    case left(userId: String, newAdmin: String?)
    case posted(ChatMessage)
    case edited(seq: UInt64, content: String, at: Double)
    case deleted(seq: UInt64, at: Double)
    case reacted(seq: UInt64, emoji: String, userId: String, added: Bool)
    /// `by` is empty and `at` 0 in journals written before invitations recorded their inviter.
    case invited(userId: String, by: String, at: Double)
    /// A pending invitation withdrawn by an admin, or declined by the invitee.
    case inviteRevoked(userId: String)
    case read(userId: String, seq: UInt64)
    case locked(Bool)
    case slowMode(seconds: Int)
    case historyCleared
    /// `until` is a Unix time, or nil for a mute without end.
    case muted(userId: String, until: Double?)
    case unmuted(userId: String)
    case banned(userId: String)
    case unbanned(userId: String)
    /// Messages removed by an admin cleanup, by seq.
    case removed(seqs: [UInt64])
    case activity(at: Double)
    case renamed(String)
    case described(String)
    case promoted(userId: String)
    case demoted(userId: String)
    case archived(Bool)
}
