import Synchronization

/// What the engine needs to know about rooms without asking each room actor: which rooms are public (in
/// id order, for room lists), how many rooms each user has created, and which direct rooms still wait for
/// their first answer (for the per-user bounds).
///
/// Each room actor registers its room when it is made, whether created or restored, so a restart rebuilds
/// the directory; a direct room's actor reports its first answer. A lock rather than an actor, like
/// ``MembershipIndex``: request handlers read it synchronously. Rooms are never deleted today, so nothing
/// is ever unregistered.
public final class RoomDirectory: Sendable {
    private struct Contents {
        /// Ids of the public rooms: in registration order until the first list sorts them, ascending
        /// from then on. A restore registers every room before anything is listed, so it appends and
        /// sorts once instead of inserting each id into the middle of a sorted array.
        var publicRoomIds: [String] = []
        var publicRoomIdsSorted = false
        /// User → public and private rooms they created.
        var roomsCreated: [String: Int] = [:]
        /// Direct room → the user who opened it, while the other side has never posted or read in it.
        var unansweredOpener: [String: String] = [:]
        /// User → direct rooms they opened that are still unanswered.
        var unansweredOpened: [String: Int] = [:]
    }

    private let contents = Mutex(Contents())

    public init() {}

    /// Registers a room once, when its actor is made; `answered` says whether a direct room's second
    /// participant has already posted or read in it.
    public func register(_ info: RoomInfo, answered: Bool) {
        contents.withLock { contents in
            switch info.type {
            case .direct:
                guard !answered else { return }
                contents.unansweredOpener[info.id] = info.creatorId
                contents.unansweredOpened[info.creatorId, default: 0] += 1
            case .public:
                contents.roomsCreated[info.creatorId, default: 0] += 1
                if contents.publicRoomIdsSorted {
                    contents.publicRoomIds.insert(info.id, at: contents.publicRoomIds.partitionPoint { $0 < info.id })
                } else {
                    contents.publicRoomIds.append(info.id)
                }
            case .private:
                contents.roomsCreated[info.creatorId, default: 0] += 1
            }
        }
    }

    /// The direct room `roomId` got its first answer: it no longer counts against its opener.
    public func markAnswered(_ roomId: String) {
        contents.withLock { contents in
            guard let opener = contents.unansweredOpener.removeValue(forKey: roomId) else { return }
            contents.unansweredOpened[opener, default: 1] -= 1
            if contents.unansweredOpened[opener] == 0 { contents.unansweredOpened[opener] = nil }
        }
    }

    /// Public and private rooms `userId` has created.
    public func roomsCreated(by userId: String) -> Int {
        contents.withLock { $0.roomsCreated[userId] ?? 0 }
    }

    /// Direct rooms `userId` opened whose other side has never posted or read in them.
    public func unansweredDirectRooms(openedBy userId: String) -> Int {
        contents.withLock { $0.unansweredOpened[userId] ?? 0 }
    }

    /// Up to `count` public room ids after `cursor` (all when nil), ascending.
    public func publicRoomIds(after cursor: String?, count: Int) -> [String] {
        contents.withLock { contents in
            if !contents.publicRoomIdsSorted {
                contents.publicRoomIds.sort()
                contents.publicRoomIdsSorted = true
            }
            let ids = contents.publicRoomIds
            let start = cursor.map { cursor in ids.partitionPoint { $0 <= cursor } } ?? 0
            return Array(ids[start..<Swift.min(ids.count, start + count)])
        }
    }
}

extension [String] {
    /// In an array sorted so that `belongsBefore` holds for a prefix, the length of that prefix (binary search).
    fileprivate func partitionPoint(_ belongsBefore: (String) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongsBefore(self[middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
