import BenchCore
import Synchronization

/// What all stress users learned together: rooms, acknowledged messages, membership, reply counts.
final class StressWorld: Sendable {
    /// Per-room knowledge.
    struct Room {
        var audit = RoomAudit()
        var counts = MemberCountCheck()
        /// Members according to the replies the users got (creator included).
        var members: Set<String> = []
        /// A membership request went unanswered, so the expected member set is unknown.
        var uncertain = false
    }

    struct State {
        var rooms: [String: Room] = [:]
        var roomOrder: [String] = []
        /// Replies by `op:status`, for the report.
        var outcomes: [String: Int] = [:]
        /// Violations seen during the run (bad history order, internal errors).
        var violations: [String] = []
        /// The engine named room topics (`--fanout room-topic`): a member hears a room only once it has
        /// subscribed, so what went out before then it finds in history.
        var roomTopics = false
        /// Blocker → users whose block the blocker's reply confirmed and whose unblock it has not sent.
        var blocks: [String: Set<String>] = [:]
        /// Unblocks sent per blocker → blocked user: a DM checked against a block lifted while it was under
        /// way proves nothing (the unblock may have overtaken it).
        var unblocks: [String: Int] = [:]
    }

    let state = Mutex(State())

    /// Any known room, at random.
    func randomRoom(using rng: inout some RandomNumberGenerator) -> String? {
        state.withLock { $0.roomOrder.randomElement(using: &rng) }
    }

    var roomCount: Int { state.withLock { $0.roomOrder.count } }

    func addRoom(_ id: String, creator: String) {
        state.withLock { state in
            guard state.rooms[id] == nil else { return }
            var room = Room()
            room.members = [creator]
            state.rooms[id] = room
            state.roomOrder.append(id)
        }
    }

    func withRoom(_ id: String, _ body: (inout Room) -> Void) {
        state.withLock { state in
            if state.rooms[id] == nil { return }
            body(&state.rooms[id]!)
        }
    }

    func count(_ op: StressOp, _ status: String) {
        state.withLock { $0.outcomes["\(op.rawValue) → \(status)", default: 0] += 1 }
    }

    func usesRoomTopics() {
        state.withLock { $0.roomTopics = true }
    }

    /// Whether `blocker` surely blocks `sender` now (confirmed, no unblock under way), and how many unblocks
    /// of the pair were sent so far.
    func blocks(_ blocker: String, _ sender: String) -> (blocked: Bool, unblocks: Int) {
        state.withLock { ($0.blocks[blocker]?.contains(sender) == true, $0.unblocks[blocker + "\u{0}" + sender] ?? 0) }
    }

    func setBlock(_ blocker: String, _ blocked: String, _ present: Bool) {
        state.withLock { state in
            if present {
                state.blocks[blocker, default: []].insert(blocked)
            } else {
                state.blocks[blocker]?.remove(blocked)
                state.unblocks[blocker + "\u{0}" + blocked, default: 0] += 1
            }
        }
    }

    func violation(_ text: String) {
        state.withLock { $0.violations.append(text) }
    }
}
