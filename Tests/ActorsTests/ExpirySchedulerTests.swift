import Actors
import Foundation
import Synchronization
import Testing

struct ExpirySchedulerTests {
    /// Polls `condition` for up to 10 s: the machine may be busy, deadlines only promise "not before".
    func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func firesInDeadlineOrderAndHonoursReschedulingAndCancel() async throws {
        let scheduler = ExpiryScheduler(clock: { Date().timeIntervalSince1970 })
        let fired = Mutex<[String]>([])
        let now = Date().timeIntervalSince1970
        scheduler.schedule("late", at: now + 0.3) { fired.withLock { $0.append("late") } }
        scheduler.schedule("early", at: now + 0.1) { fired.withLock { $0.append("early") } }
        scheduler.schedule("moved", at: now + 0.05) { fired.withLock { $0.append("moved-old") } }
        scheduler.schedule("moved", at: now + 0.2) { fired.withLock { $0.append("moved") } }
        scheduler.schedule("cancelled", at: now + 0.1) { fired.withLock { $0.append("cancelled") } }
        scheduler.cancel("cancelled")
        try await waitUntil { fired.withLock { $0.count } >= 3 }
        try await Task.sleep(for: .milliseconds(100))
        #expect(fired.withLock { $0 } == ["early", "moved", "late"])
        #expect(scheduler.pendingCount == 0)
    }

    @Test func tenThousandDeadlinesNeedNoTaskEach() async throws {
        let scheduler = ExpiryScheduler(clock: { Date().timeIntervalSince1970 })
        let count = Atomic<Int>(0)
        let now = Date().timeIntervalSince1970
        for i in 0..<10_000 {
            scheduler.schedule("k\(i)", at: now + 0.05 + Double(i % 10) * 0.01) { count.add(1, ordering: .relaxed) }
        }
        #expect(scheduler.pendingCount == 10_000)
        try await waitUntil { count.load(ordering: .relaxed) == 10_000 }
        #expect(count.load(ordering: .relaxed) == 10_000)
        #expect(scheduler.pendingCount == 0)
    }
}
