import Synchronization
import Wire

/// Hands replies (matched by `request_id`) to the tasks waiting for them, with a timeout.
final class ReplyWaiter: Sendable {
    private let waiting = Mutex<[String: CheckedContinuation<JSONValue?, Never>]>([:])

    /// Whether anyone waits; lets the hot path skip parsing replies nobody asked for.
    var isIdle: Bool { waiting.withLock { $0.isEmpty } }

    /// Registers `requestId`, runs `send`, and waits for the reply or `timeout` seconds (nil).
    func wait(for requestId: String, timeout: Double, send: () -> Bool) async -> JSONValue? {
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

    /// Resumes the waiter of `requestId`, if it still waits.
    func resolve(_ requestId: String, with reply: JSONValue?) {
        let continuation = waiting.withLock { $0.removeValue(forKey: requestId) }
        continuation?.resume(returning: reply)
    }
}
