import Actors

@testable import Persistence

/// Compiles only if an actor (as the engine's registry will be) can hand `writeSnapshot` a capture
/// closure that reads its own state and awaits other actors.
actor SnapshotCallerCheck {
    var state = EngineState()
    let other = OtherActor()

    func snapshot(_ store: ChatStore) async throws -> SnapshotInfo {
        try await store.writeSnapshot {
            var copy = self.state
            copy.rooms += await self.other.rooms()
            return copy
        }
    }
}

actor OtherActor {
    func rooms() -> [RoomState] { [] }
}
