import BenchCore
import Testing

struct DeliveryTrackerTests {
    @Test func countsUniqueDuplicateAndReordered() {
        var tracker = DeliveryTracker()
        for number in [1, 2, 4, 3, 4, 5] { tracker.record(sender: 0, number: number) }
        tracker.record(sender: 1, number: 1)
        #expect(tracker.unique == 6)
        #expect(tracker.duplicates == 1)
        #expect(tracker.reordered == 1)
        #expect(tracker.uniqueCount(from: 0) == 5)
        #expect(tracker.uniqueCount(from: 2) == 0)
    }

    @Test func growsForLargeNumbers() {
        var tracker = DeliveryTracker()
        let first = tracker.record(sender: 0, number: 10_000)
        let again = tracker.record(sender: 0, number: 10_000)
        #expect(first && !again)
    }
}
