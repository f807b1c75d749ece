import Actors
import Foundation
import Logging
import Testing

@testable import Persistence

struct ChatStoreTests {
    static let logger = Logger(label: "chat-store-tests") { _ in SwiftLogNoOpLogHandler() }
    static let options = ChatStore.Options(ringCapacity: ChatWorkload.ringCapacity, engineVersion: "test")

    static func open(_ dir: String, allowEmptyStart: Bool = false, now: Double = 1) throws -> (ChatStore, RecoveredState) {
        try ChatStore.open(directory: dir, fsync: .no, logger: logger, allowEmptyStart: allowEmptyStart, options: options, now: now)
    }

    static func reopen(_ dir: String) throws -> RecoveredState {
        let (store, recovered) = try open(dir)
        try store.close()
        return recovered
    }

    static func snapshotFiles(_ dir: String) throws -> [String] {
        try files(in: dir).filter { $0.hasSuffix(".chatsnap") }.map { dir + "/" + $0 }
    }

    /// Flips one byte in the compressed body of a snapshot file.
    static func damage(_ path: String) throws {
        var bytes = try readFile(path)
        bytes[bytes.count - 10] ^= 0xFF
        try writeFile(path, bytes)
    }

    // MARK: Journal only

    @Test func reopenReplaysEveryAppend() throws {
        try withTempDirectory { dir in
            let (store, first) = try Self.open(dir)
            #expect(first.state == EngineState() && first.snapshotPath == nil)
            var workload = ChatWorkload(seed: 1)
            try workload.run(300, on: store)
            try store.close()

            let recovered = try Self.reopen(dir)
            #expect(recovered.state.normalized == workload.state.normalized)
            #expect(recovered.recordsReplayed == 300)
            #expect(recovered.journal.isClean)

            // LSNs continue after a restart.
            let (again, _) = try Self.open(dir)
            #expect(try again.append(.lastSeen(userId: "x", at: 1)) == 301)
            try again.close()
        }
    }

    @Test func tornJournalTailKeepsEveryWholeRecord() throws {
        try withTempDirectory { dir in
            let (store, _) = try Self.open(dir)
            var workload = ChatWorkload(seed: 2)
            try workload.run(99, on: store)
            let beforeLast = workload.state
            try workload.run(1, on: store)
            try store.close()

            let journal = try #require(try files(in: dir).last { $0.hasSuffix(".chatlog") })
            let bytes = try readFile(dir + "/" + journal)
            try writeFile(dir + "/" + journal, Array(bytes.dropLast(3)))

            let recovered = try Self.reopen(dir)
            #expect(recovered.state.normalized == beforeLast.normalized)
            #expect(recovered.recordsReplayed == 99)
            #expect(recovered.journal.damage.count == 1)
        }
    }

    @Test func dropsExpiredReplies() throws {
        try withTempDirectory { dir in
            let (store, _) = try Self.open(dir)
            _ = try store.append(.reply(CachedReply(userId: "a", requestId: "old", reply: [1], expiresAt: 100)))
            _ = try store.append(.reply(CachedReply(userId: "a", requestId: "new", reply: [2], expiresAt: 300)))
            try store.close()
            let (again, recovered) = try Self.open(dir, now: 200)
            try again.close()
            #expect(recovered.state.replies.map(\.requestId) == ["new"])
        }
    }

    // MARK: Requests applied but not answered

    static let joinOrigin = ChangeOrigin(userId: "bob", requestKey: "chat/rooms/join/r\u{0}j-1")

    /// A room `r` by alice, then bob's join journaled for `joinOrigin`; the reply record is the caller's.
    static func appendJoin(to store: ChatStore) throws {
        let info = RoomInfo(id: "r", name: "R", type: .public, creatorId: "alice", createdAt: 10)
        _ = try store.append(.room(id: "r", .created(info, creator: Member(userId: "alice", name: "Alice", joinedAt: 10))))
        _ = try store.append(.room(id: "r", .joined(Member(userId: "bob", name: "Bob", joinedAt: 11))), origin: joinOrigin)
    }

    @Test func aChangeWithoutItsReplyIsReportedUnansweredWithTheMemberCountItLeft() throws {
        try withTempDirectory { dir in
            let (store, _) = try Self.open(dir)
            try Self.appendJoin(to: store)
            // Later changes of the room do not alter what the join left behind.
            _ = try store.append(.room(id: "r", .joined(Member(userId: "carol", name: "Carol", joinedAt: 12))))
            try store.close()

            let recovered = try Self.reopen(dir)
            let unanswered = try #require(recovered.unansweredRequests.first)
            #expect(recovered.unansweredRequests.count == 1)
            #expect(unanswered.origin == Self.joinOrigin)
            #expect(unanswered.changes.map(\.memberCount) == [2])
            #expect(unanswered.changes.map(\.entry) == [.room(id: "r", .joined(Member(userId: "bob", name: "Bob", joinedAt: 11)))])
        }
    }

    @Test func aJournaledReplyAnswersTheRequest() throws {
        try withTempDirectory { dir in
            let (store, _) = try Self.open(dir)
            try Self.appendJoin(to: store)
            _ = try store.append(.reply(CachedReply(
                userId: "bob", requestId: Self.joinOrigin.requestKey, reply: Array("joined".utf8), expiresAt: 600)))
            try store.close()
            #expect(try Self.reopen(dir).unansweredRequests.isEmpty)
        }
    }

    @Test func aReplyTheSnapshotHoldsAnswersTheRequestToo() async throws {
        try await withTempDirectory { dir in
            let (store, _) = try Self.open(dir)
            // The change lands after the rotation (so replay offers it again) and the capture already
            // holds its reply.
            _ = try await store.writeSnapshot {
                try! Self.appendJoin(to: store)
                let reply = CachedReply(userId: "bob", requestId: Self.joinOrigin.requestKey, reply: Array("joined".utf8), expiresAt: 600)
                return EngineState(replies: [reply])
            }
            try store.close()
            let recovered = try Self.reopen(dir)
            #expect(recovered.recordsReplayed == 2)
            #expect(recovered.unansweredRequests.isEmpty)
        }
    }

    // MARK: Snapshots

    @Test func snapshotPlusJournalTailRestoresEverything() async throws {
        try await withTempDirectory { dir in
            let (store, _) = try Self.open(dir)
            var workload = ChatWorkload(seed: 3)
            try workload.run(200, on: store)
            let live = workload.state
            let info = try await store.writeSnapshot { live }
            #expect(info.coveredLSN == 200)
            try workload.run(150, on: store)
            try store.close()

            let recovered = try Self.reopen(dir)
            #expect(recovered.state.normalized == workload.state.normalized)
            #expect(recovered.snapshotCoveredLSN == 200)
            #expect(recovered.recordsReplayed == 150)
        }
    }

    @Test func replaySkipsRecordsTheSnapshotAlreadyHolds() async throws {
        try await withTempDirectory { dir in
            let (store, _) = try Self.open(dir)
            var workload = ChatWorkload(seed: 4)
            try workload.run(100, on: store)
            // Records appended between the rotation and the capture end up both in the snapshot
            // and in the journal after its covered LSN.
            _ = try await store.writeSnapshot {
                try! workload.run(60, on: store)
                return workload.state
            }
            try workload.run(40, on: store)
            try store.close()

            let recovered = try Self.reopen(dir)
            #expect(recovered.state.normalized == workload.state.normalized)
            #expect(recovered.snapshotCoveredLSN == 100)
            #expect(recovered.recordsReplayed == 100)
            #expect(recovered.changesSkipped > 0)
        }
    }

    @Test func corruptSnapshotsFallBackToOlderOnesWithTheJournalStillThere() async throws {
        try await withTempDirectory { dir in
            let (store, _) = try Self.open(dir)
            var workload = ChatWorkload(seed: 5)
            for _ in 0..<5 {
                try workload.run(80, on: store)
                let live = workload.state
                _ = try await store.writeSnapshot { live }
            }
            try workload.run(30, on: store)
            try store.close()
            let snapshots = try Self.snapshotFiles(dir)
            #expect(snapshots.count == 3)

            try Self.damage(snapshots[2])
            var recovered = try Self.reopen(dir)
            #expect(recovered.state.normalized == workload.state.normalized)
            #expect(recovered.skippedSnapshots.map(\.path) == [snapshots[2]])
            #expect(recovered.snapshotCoveredLSN == 320)

            try Self.damage(snapshots[1])
            recovered = try Self.reopen(dir)
            #expect(recovered.state.normalized == workload.state.normalized)
            #expect(recovered.skippedSnapshots.count == 2)
            #expect(recovered.snapshotCoveredLSN == 240)
            #expect(recovered.journal.isClean)
        }
    }

    @Test func refusesAnEmptyStartWhenNoSnapshotIsUsable() async throws {
        try await withTempDirectory { dir in
            let (store, _) = try Self.open(dir)
            var workload = ChatWorkload(seed: 6)
            try workload.run(50, on: store)
            let live = workload.state
            _ = try await store.writeSnapshot { live }
            try workload.run(5, on: store)
            try store.close()
            for path in try Self.snapshotFiles(dir) { try Self.damage(path) }

            #expect(errorCode { _ = try Self.open(dir) } == .corrupt)
            let (again, recovered) = try Self.open(dir, allowEmptyStart: true)
            try again.close()
            #expect(recovered.startedWithoutSnapshot)
            #expect(recovered.skippedSnapshots.count == 1)
        }
    }

    @Test func refusesAJournalWithoutItsBeginning() throws {
        try withTempDirectory { dir in
            let journal = try Journal.open(directory: dir, fsync: .no, nextLSN: 50)
            _ = try journal.append(JournalEntryCodec.encode(.lastSeen(userId: "a", at: 1)))
            try journal.close()
            #expect(errorCode { _ = try Self.open(dir) } == .corrupt)
            let (store, recovered) = try Self.open(dir, allowEmptyStart: true)
            try store.close()
            #expect(recovered.state.lastSeen == ["a": 1])
        }
    }

    @Test func concurrentSnapshotsRunOneAfterTheOther() async throws {
        try await withTempDirectory { dir in
            let (store, _) = try Self.open(dir)
            var workload = ChatWorkload(seed: 7)
            try workload.run(100, on: store)
            let live = workload.state
            async let first = store.writeSnapshot { live }
            async let second = store.writeSnapshot { live }
            let paths = try await [first.path, second.path]
            #expect(Set(paths).count == 2)
            try store.close()
            #expect(try Self.reopen(dir).state.normalized == live.normalized)
        }
    }

    // MARK: Inspect and verify

    @Test func inspectAndVerify() async throws {
        try await withTempDirectory { dir in
            let (store, _) = try Self.open(dir)
            let info = try await store.writeSnapshot { ChatFixtures.richState() }
            try store.close()

            try ChatStore.verify(path: info.path)
            let summary = try ChatStore.inspect(path: info.path)
            #expect(summary.contains("covered LSN:     0"))
            #expect(summary.contains("engine version:  test"))
            #expect(summary.contains("rooms         3"))
            #expect(summary.contains("messages      10"))
            #expect(summary.contains("replies       2"))

            try Self.damage(info.path)
            #expect(errorCode { try ChatStore.verify(path: info.path) } == .checksumMismatch)
            #expect(throws: PersistenceError.self) { _ = try ChatStore.inspect(path: info.path) }
        }
    }
}
