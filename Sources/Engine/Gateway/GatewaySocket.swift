import Hummingbird
import Synchronization

/// One open connection of a user to the gateway (a WebSocket or a server-sent event stream), seen from
/// the engine: a bounded queue of frames waiting to be written.
///
/// The engine enqueues without ever waiting; the connection's writer task drains the queue. A consumer
/// that falls behind by more than `capacity` frames or `maxBytes` bytes is marked overflowed and its
/// queue is ended: the gateway then closes the connection instead of buffering without bound.
final class GatewaySocket: Sendable {
    /// How the connection frames what the engine publishes to its user's inbox.
    enum Kind: Sendable {
        /// `{"topic": …, "payload": …}` text frames.
        case webSocket
        /// `event: {last topic level}` / `data: {payload}` blocks (SPEC §11).
        case eventStream
    }

    /// The user the socket authenticated as.
    let userId: String
    let kind: Kind
    /// The presence device the socket is (PROTOCOL §2.5): its presence requests speak for it, and it goes
    /// offline when the socket closes, while the user's other sockets and devices keep their status.
    let device: String
    /// Frames to write, in the order they were enqueued.
    let frames: AsyncStream<ByteBuffer>
    /// Ends when the socket overflows; the gateway waits on it to cut the connection.
    let overflows: AsyncStream<Void>
    private let continuation: AsyncStream<ByteBuffer>.Continuation
    private let overflowContinuation: AsyncStream<Void>.Continuation
    private let queuedBytes = Atomic<Int>(0)
    private let overflowed = Atomic<Bool>(false)
    let maxBytes: Int

    /// - Parameters:
    ///   - userId: the socket's user.
    ///   - capacity: frames queued at most.
    ///   - maxBytes: bytes queued at most.
    ///   - kind: how it frames what it is sent.
    init(userId: String, kind: Kind = .webSocket, capacity: Int, maxBytes: Int) {
        self.userId = userId
        self.kind = kind
        self.device = "\(kind == .webSocket ? "ws" : "sse")-\(Self.opened.add(1, ordering: .relaxed).newValue)"
        self.maxBytes = maxBytes
        (frames, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(max(1, capacity)))
        (overflows, overflowContinuation) = AsyncStream.makeStream(of: Void.self)
    }

    /// Queues a frame without waiting; false when it was not queued (closed, or the queue overflowed now).
    @discardableResult
    func enqueue(_ frame: ByteBuffer) -> Bool {
        guard !isOverflowed else { return false }
        let size = frame.readableBytes
        if queuedBytes.add(size, ordering: .relaxed).newValue > maxBytes {
            overflow()
            return false
        }
        switch continuation.yield(frame) {
        case .enqueued:
            return true
        case .dropped:
            overflow()
            return false
        case .terminated:
            return false
        @unknown default:
            return false
        }
    }

    /// Called by the writer for each frame it has taken off the queue.
    func dequeued(_ frame: ByteBuffer) {
        queuedBytes.subtract(frame.readableBytes, ordering: .relaxed)
    }

    /// True once the consumer fell too far behind.
    var isOverflowed: Bool { overflowed.load(ordering: .acquiring) }

    /// Ends the queue (the socket is closing); frames enqueued later are discarded.
    func finish() {
        continuation.finish()
        overflowContinuation.finish()
    }

    /// Sockets opened since the process started: numbers each socket's device, unique while it is open.
    private static let opened = Atomic<Int>(0)

    private func overflow() {
        guard !overflowed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        continuation.finish()
        overflowContinuation.finish()
    }
}
