import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs slow, blocking work on a fresh thread of its own, at a lower CPU priority.
///
/// Encoding and compressing a large snapshot keeps a core busy for seconds. On Swift's cooperative
/// pool (one thread per core, two here) that would take half the threads the room actors run on;
/// on its own thread, with a higher nice value, the kernel gives message handling the CPU first.
enum BackgroundThread {
    /// Runs `body` on a new thread and returns its result.
    /// - Parameters:
    ///   - name: Thread name, shown by `top -H` and debuggers.
    ///   - niceness: Added to the thread's nice value (Linux only; 0 leaves it unchanged).
    ///   - body: The work.
    static func run<T: Sendable>(
        name: String, niceness: Int32, _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread {
                lowerPriority(by: niceness)
                continuation.resume(with: Result { try body() })
            }
            thread.name = name
            thread.start()
        }
    }

    private static func lowerPriority(by niceness: Int32) {
        #if os(Linux)
        guard niceness > 0 else { return }
        // On Linux the nice value is per thread and `who == 0` means the calling thread (the kernel's
        // `current`), so this leaves the rest of the process alone. Best effort: failing is harmless.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) + niceness)
        #endif
    }
}
