import Synchronization

/// Fires deadlines for many keys with one task: the sleeper wakes at the earliest deadline, runs what is
/// due, and sleeps again. Rescheduling a key replaces its deadline. 100 000 pending keys cost a heap
/// entry each, not a task each.
public final class ExpiryScheduler: Sendable {
    public typealias Action = @Sendable () async -> Void

    struct State {
        var deadlines: [String: (at: Double, action: Action)] = [:]
        var heap = MinHeap()
        var sleeper: Task<Void, Never>?
        var sleepingUntil: Double = .infinity
        var stopped = false
    }

    private let state = Mutex(State())
    private let clock: @Sendable () -> Double

    /// - Parameter clock: Unix seconds; injectable for tests.
    public init(clock: @escaping @Sendable () -> Double) {
        self.clock = clock
    }

    /// Runs `action` at `deadline` (Unix seconds) unless `key` is rescheduled or cancelled first.
    public func schedule(_ key: String, at deadline: Double, _ action: @escaping Action) {
        state.withLock { state in
            guard !state.stopped else { return }
            state.deadlines[key] = (deadline, action)
            state.heap.push(deadline, key)
            if deadline < state.sleepingUntil { wake(&state) }
        }
    }

    /// Forgets `key`'s deadline.
    public func cancel(_ key: String) {
        state.withLock { _ = $0.deadlines.removeValue(forKey: key) }
    }

    /// Keys with a pending deadline.
    public var pendingCount: Int { state.withLock { $0.deadlines.count } }

    /// Stops the sleeper; pending deadlines never fire.
    public func stop() {
        state.withLock { state in
            state.stopped = true
            state.sleeper?.cancel()
            state.sleeper = nil
            state.deadlines.removeAll()
        }
    }

    private func wake(_ state: inout State) {
        state.sleeper?.cancel()
        let next = state.heap.peek()?.deadline ?? .infinity
        state.sleepingUntil = next
        guard next < .infinity else {
            state.sleeper = nil
            return
        }
        // Detached: a timer armed while a request is handled must not carry the request's task-locals
        // (its `ChangeOrigin`) into the changes it makes when it fires.
        state.sleeper = Task.detached { [weak self] in
            guard let self else { return }
            let delay = next - self.clock()
            if delay > 0 {
                do { try await Task.sleep(for: .milliseconds(Int((delay * 1000).rounded(.up)))) } catch { return }
            }
            await self.fireDue()
        }
    }

    private func fireDue() async {
        let now = clock()
        let due: [Action] = state.withLock { state in
            var due: [Action] = []
            while let top = state.heap.peek(), top.deadline <= now {
                state.heap.pop()
                if let entry = state.deadlines[top.key], entry.at == top.deadline {
                    state.deadlines[top.key] = nil
                    due.append(entry.action)
                }
            }
            state.sleepingUntil = .infinity
            if !state.stopped { wake(&state) }
            return due
        }
        for action in due { await action() }
    }
}

/// A binary min-heap of (deadline, key); stale entries are skipped by the scheduler when popped.
struct MinHeap {
    private var items: [(deadline: Double, key: String)] = []

    var count: Int { items.count }

    func peek() -> (deadline: Double, key: String)? { items.first }

    mutating func push(_ deadline: Double, _ key: String) {
        items.append((deadline, key))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].deadline < items[parent].deadline else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func pop() -> (deadline: Double, key: String)? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count && items[left].deadline < items[smallest].deadline { smallest = left }
            if right < items.count && items[right].deadline < items[smallest].deadline { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
