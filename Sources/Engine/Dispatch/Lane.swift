import Dispatch

/// One ordered queue of work: items run one at a time in arrival order. Bounded: `push` blocks the
/// caller (libmosquitto's thread) while the lane is full, so a slow engine slows the broker's delivery
/// instead of growing memory.
final class Lane<Item: Sendable>: Sendable {
    private let stream: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    private let slots: DispatchSemaphore

    init(capacity: Int) {
        (stream, continuation) = AsyncStream.makeStream(of: Item.self, bufferingPolicy: .unbounded)
        slots = DispatchSemaphore(value: capacity)
    }

    /// Enqueues an item, waiting for a free slot first.
    func push(_ item: Item) {
        slots.wait()
        if case .terminated = continuation.yield(item) { slots.signal() }
    }

    /// Runs `body` for each item in order until `finish()` and the queue is drained.
    func run(_ body: (Item) async -> Void) async {
        for await item in stream {
            slots.signal()
            await body(item)
        }
    }

    /// Lets `run` return once the queued items are handled.
    func finish() { continuation.finish() }
}
