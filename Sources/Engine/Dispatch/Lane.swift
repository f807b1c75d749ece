import Synchronization

/// One ordered queue of work: items run one at a time in arrival order. Bounded: `tryPush` refuses an
/// item while the lane is full, so the caller (libmosquitto's thread) never waits on one busy room:
/// it holds the item back and stops reading from the broker instead, while its connection stays alive.
final class Lane<Item: Sendable>: Sendable {
    private let stream: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    private let capacity: Int
    private let queued = Atomic<Int>(0)

    init(capacity: Int) {
        (stream, continuation) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .unbounded)
        self.capacity = max(1, capacity)
    }

    /// Whether an item pushed now would find a free slot (unless another thread takes it first).
    var hasRoom: Bool { queued.load(ordering: .relaxed) < capacity }

    /// Enqueues an item if the lane has a free slot; false if it is full.
    func tryPush(_ item: Item) -> Bool {
        guard queued.add(1, ordering: .relaxed).newValue <= capacity else {
            queued.subtract(1, ordering: .relaxed)
            return false
        }
        if case .terminated = continuation.yield(item) { queued.subtract(1, ordering: .relaxed) }
        return true
    }

    /// Runs `body` for each item in order until `finish()` and the queue is drained.
    func run(_ body: (Item) async -> Void) async {
        for await item in stream {
            queued.subtract(1, ordering: .relaxed)
            await body(item)
        }
    }

    /// Lets `run` return once the queued items are handled.
    func finish() { continuation.finish() }
}
