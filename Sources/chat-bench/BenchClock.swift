#if canImport(Glibc)
import Glibc
#endif

/// Monotonic microseconds: senders and receivers live in one process, so one clock serves both ends.
enum BenchClock {
    static func micros() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }

    /// Sleeps until the monotonic clock reaches `deadline` (µs); returns at once if it has passed.
    static func sleep(until deadline: UInt64) async {
        let now = micros()
        guard deadline > now else { return }
        try? await Task.sleep(for: .microseconds(Int64(deadline - now)))
    }
}
