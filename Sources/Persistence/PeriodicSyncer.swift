import Dispatch
import Foundation
import Synchronization

/// Runs a closure on a dedicated thread at a fixed interval until stopped.
///
/// A thread rather than a Dispatch timer: fsync blocks for milliseconds and must not occupy a shared
/// worker that Swift concurrency or Dispatch needs for message handling.
final class PeriodicSyncer: Sendable {
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let stopped = Mutex(false)

    init(interval: Double, name: String, tick: @escaping @Sendable () -> Void) {
        let wake = self.wake
        let finished = self.finished
        let thread = Thread {
            while wake.wait(timeout: .now() + interval) == .timedOut {
                tick()
            }
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Stops the thread and waits for its current tick to finish; later calls do nothing.
    func stop() {
        if cancel() { finished.wait() }
    }

    /// Asks the thread to stop without waiting (safe from the thread itself, e.g. in a deinit it triggers).
    @discardableResult
    func cancel() -> Bool {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        if first { wake.signal() }
        return first
    }
}
