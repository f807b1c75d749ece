@testable import Engine
import Testing

/// An API call waits for its reply once: the reply or the deadline, whichever comes first.
struct PendingReplyTests {
    @Test func aReplyBeforeTheWaitIsKept() async {
        let pending = PendingReply()
        pending.resolve([1, 2, 3])
        pending.resolve([4])
        #expect(await pending.wait(timeout: 5) == [1, 2, 3])
    }

    @Test func aReplyDuringTheWaitEndsIt() async {
        let pending = PendingReply()
        Task {
            try? await Task.sleep(for: .milliseconds(20))
            pending.resolve([7])
        }
        #expect(await pending.wait(timeout: 5) == [7])
    }

    @Test func noReplyInTimeIsNilAndALateOneIsIgnored() async {
        let pending = PendingReply()
        #expect(await pending.wait(timeout: 0.05) == nil)
        pending.resolve([9])
    }
}
