import Synchronization

/// The reply an API call waits for: resolved once by the engine's `ReplySink`, or given up on at a
/// deadline, whichever comes first; the other is ignored.
final class PendingReply: Sendable {
    private enum State {
        case waiting(CheckedContinuation<[UInt8]?, Never>?)
        case done([UInt8]?)
    }

    private let state = Mutex<State>(.waiting(nil))

    /// Hands over the reply (the engine's side).
    func resolve(_ reply: [UInt8]?) {
        let continuation: CheckedContinuation<[UInt8]?, Never>? = state.withLock { state in
            guard case .waiting(let continuation) = state else { return nil }
            state = .done(reply)
            return continuation
        }
        continuation?.resume(returning: reply)
    }

    /// The reply, or nil when none came within `timeout` seconds.
    func wait(timeout: Double) async -> [UInt8]? {
        let timer = Task { [self] in
            try? await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
            if !Task.isCancelled { resolve(nil) }
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let done: [UInt8]?? = state.withLock { state in
                switch state {
                case .done(let reply):
                    return .some(reply)
                case .waiting:
                    state = .waiting(continuation)
                    return nil
                }
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}
