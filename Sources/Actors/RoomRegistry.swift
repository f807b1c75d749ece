import Synchronization

/// Every room actor by id. A lock, not an actor: looking a room up is on every request's path and must
/// not cost an extra hop.
public final class RoomRegistry: Sendable {
    private let rooms = Mutex<[String: RoomActor]>([:])

    public init() {}

    public func room(_ id: String) -> RoomActor? {
        rooms.withLock { $0[id] }
    }

    /// Adds a room unless one with its id exists; returns the room registered under the id.
    @discardableResult
    public func insert(_ room: RoomActor) -> RoomActor {
        rooms.withLock { rooms in
            if let existing = rooms[room.id] { return existing }
            rooms[room.id] = room
            return room
        }
    }

    /// The room with `id`, creating it with `make` under the registry lock if it does not exist yet,
    /// so two concurrent first uses create it once.
    public func room(_ id: String, orCreate make: () throws(ChatError) -> RoomActor) throws(ChatError) -> RoomActor {
        try rooms.withLock { (rooms) throws(ChatError) -> RoomActor in
            if let existing = rooms[id] { return existing }
            let room = try make()
            rooms[id] = room
            return room
        }
    }

    public var all: [RoomActor] { rooms.withLock { Array($0.values) } }
    public var count: Int { rooms.withLock { $0.count } }
}
