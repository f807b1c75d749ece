import Synchronization

/// Hands replies (matched by `request_id`) to the tasks waiting for them, with a timeout.
///
/// Generic over the reply so the ordering below is testable without JSON or a broker.
public final class ReplyWaiter<Reply: Sendable>: Sendable {
    private let waiting = Mutex<[String: CheckedContinuation<Reply?, Never>]>([:])

    public init() {}

    /// Whether anyone waits; lets the hot path skip parsing replies nobody asked for.
    public var isIdle: Bool { waiting.withLock { $0.isEmpty } }

    /// Registers `requestId`, runs `send`, and waits for the reply or `timeout` seconds (nil).
    public func wait(for requestId: String, timeout: Double, send: () -> Bool) async -> Reply? {
        await withCheckedContinuation { continuation in
            waiting.withLock { $0[requestId] = continuation }
            guard send() else {
                resolve(requestId, with: nil)
                return
            }
            Task { [self] in
                try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                resolve(requestId, with: nil)
            }
        }
    }

    /// Hands a received reply on: first to `observe`, then to the task waiting for `requestId`.
    ///
    /// In that order, so that whatever the observer keeps (the stress run's view of a user's rooms) is up
    /// to date when the waiting operation resumes. Resumed first, the operation raced the observer on
    /// the network thread: a join resumed, the next operation read a membership view without the room,
    /// joined again, got `already_member`, and `stress --chaos` reported "join applied twice".
    public func deliver(_ reply: Reply, requestId: String?, observe: ((Reply) -> Void)? = nil) {
        observe?(reply)
        if let requestId { resolve(requestId, with: reply) }
    }

    /// Resumes the waiter of `requestId`, if it still waits.
    public func resolve(_ requestId: String, with reply: Reply?) {
        let continuation = waiting.withLock { $0.removeValue(forKey: requestId) }
        continuation?.resume(returning: reply)
    }
}
