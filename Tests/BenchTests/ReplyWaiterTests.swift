import BenchCore
import Foundation
import Synchronization
import Testing

/// The stress run's request/reply: an operation waiting for its reply resumes only once the reply's
/// observer (the user's membership view) has seen it.
struct ReplyWaiterTests {
    @Test func theObserverHasSeenAReplyWhenItsWaiterResumes() async {
        for round in 0..<20 {
            let waiter = ReplyWaiter<String>()
            let observed = Observed<[String]>([])
            let requestId = "join-\(round)"
            let reply = await waiter.wait(for: requestId, timeout: 5) {
                // The network thread: a reply arrives while the operation waits, and its observer is slow.
                Thread.detachNewThread {
                    waiter.deliver("joined", requestId: requestId) { reply in
                        usleep(2_000)
                        observed.value.withLock { $0.append(reply) }
                    }
                }
                return true
            }
            #expect(reply == "joined")
            #expect(observed.value.withLock { $0 } == ["joined"], "round \(round): the waiter resumed before the observer ran")
        }
    }

    @Test func aReplyWithoutAWaiterStillReachesTheObserverAndATimeoutGivesNil() async {
        let waiter = ReplyWaiter<String>()
        let observed = Observed(0)
        waiter.deliver("late", requestId: "nobody") { _ in observed.value.withLock { $0 += 1 } }
        waiter.deliver("no id", requestId: nil) { _ in observed.value.withLock { $0 += 1 } }
        #expect(observed.value.withLock { $0 } == 2)
        #expect(await waiter.wait(for: "r", timeout: 0.05) { true } == nil)
        #expect(await waiter.wait(for: "r", timeout: 5) { false } == nil, "a request that could not be sent")
        #expect(waiter.isIdle)
    }
}

/// What an observer saw, shared with the thread it runs on.
final class Observed<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ initial: Value) { value = Mutex(initial) }
}
