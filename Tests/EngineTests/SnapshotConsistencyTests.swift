import Actors
@testable import Engine
import EngineTesting
import Foundation
import Synchronization
import Testing
import Wire

/// A snapshot rotates the journal, then reads what the engine holds: every change journaled before the
/// rotation must be in what it reads, or a restart (snapshot + the records after it) loses the change.
/// Room actors journal and apply in one turn; the shared tables (rooms, global bans, files) must journal
/// and apply under the lock the snapshot reads them with. These tests read a table from another thread
/// at the worst moment, right after the append.
struct SnapshotConsistencyTests {
    @Test func aCreatedRoomIsListedByASnapshotThatCoversItsRecord() async throws {
        let log = RacingChangeLog()
        let engine = try InMemoryEngine(changeLog: log)
        let seen = SharedValue<Bool?>(nil)
        log.race = { entry in
            guard case .room(let id, .created) = entry else { return }
            let registry = engine.core.services.registry
            Self.read(into: seen) { registry.room(id) != nil }
        }
        let alice = try engine.inMemoryUser("alice")
        let reply = try await alice.request("chat/rooms/create", ["name": "raced"])
        #expect(reply.status == "room_created")
        #expect(try await Self.result(of: seen) == true, "a snapshot listing the rooms right after the append missed the room")
        await engine.stop()
    }

    @Test func aGlobalBanIsInASnapshotThatCoversItsRecord() async throws {
        let log = RacingChangeLog()
        let engine = try InMemoryEngine(changeLog: log)
        let seen = SharedValue<Bool?>(nil)
        log.race = { entry in
            guard case .globalBan(let userId, true) = entry else { return }
            let bans = engine.core.services
            Self.read(into: seen) { bans.globalBans.withLock { $0.contains(userId) } }
        }
        let admin = try engine.inMemoryUser("root", admin: true)
        let reply = try await admin.request("chat/admin/users/mallory/ban", [:])
        #expect(reply.status == "banned")
        #expect(try await Self.result(of: seen) == true, "a snapshot reading the bans right after the append missed the ban")
        await engine.stop()
    }

    /// Reads on another thread, as the snapshotter does, into `seen`, and gives the reader 200 ms before
    /// the appender goes on to apply the change: time enough to read a table whose lock is free. A reader
    /// blocked on the lock (the appender holds it) reads once the change is applied.
    static func read(into seen: SharedValue<Bool?>, _ read: @escaping @Sendable () -> Bool) {
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let value = read()
            seen.value.withLock { $0 = value }
            finished.signal()
        }
        _ = finished.wait(timeout: .now() + .milliseconds(200))
    }

    /// What the reader saw, once it has read.
    static func result(of seen: SharedValue<Bool?>) async throws -> Bool? {
        for _ in 0..<100 {
            if let value = seen.value.withLock({ $0 }) { return value }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }
}

/// Numbers changes like `VolatileChangeLog` and calls `race` right after each append.
final class RacingChangeLog: ChangeLog, @unchecked Sendable {
    private let inner = VolatileChangeLog()
    var race: @Sendable (JournalEntry) -> Void = { _ in }

    func append(_ entry: JournalEntry, origin: ChangeOrigin?) throws -> UInt64 {
        let lsn = try inner.append(entry, origin: origin)
        race(entry)
        return lsn
    }
}
