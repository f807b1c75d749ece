import Synchronization

/// How many brokers (and the engines and clients on them) tests run at once.
///
/// Swift Testing starts every test at once; on a two-core CI machine some three hundred brokers, engines
/// and clients then share the CPU, and a reply takes longer than any test waits for it. A test waits
/// for a slot before starting its broker, without holding a thread, and its clock starts after.
final class BrokerSlots: Sendable {
    static let shared = BrokerSlots(count: 6)

    private struct State {
        var free: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(free: count))
    }

    /// Waits until a slot is free and takes it.
    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state -> Bool in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    /// Gives a slot back, to the longest waiter if there is one.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
