/// When a failed push is tried again: exponential backoff with jitter, within the retry window.
///
/// The n-th retry waits `min(maxDelay, delay · 2ⁿ⁻¹)` scaled by a random factor in [0.5, 1] ("equal
/// jitter"), so pushes that failed together (the gateway went down) do not all come back at one instant,
/// and no retry comes sooner than half its step. With the defaults (1 s, cap 300 s) an hour holds about
/// 20 attempts: 1, 2, 4, … 256 s, then every 150-300 s.
struct PushBackoff: Sendable {
    var delay: Double
    var maxDelay: Double
    var window: Double

    init(_ configuration: PushConfiguration) {
        delay = configuration.retryDelay
        maxDelay = configuration.maxRetryDelay
        window = configuration.retryWindow
    }

    init(delay: Double, maxDelay: Double, window: Double) {
        self.delay = delay
        self.maxDelay = maxDelay
        self.window = window
    }

    /// The delay before retry number `attempt` (1 = the first retry), before jitter.
    func step(_ attempt: Int) -> Double {
        min(maxDelay, delay * Double(sign: .plus, exponent: max(0, min(attempt - 1, 60)), significand: 1))
    }

    /// The time of the next try after `failures` failed attempts at `now` of a push queued at `queuedAt`,
    /// or nil when that would fall past the retry window: the push is then given up.
    func nextAttempt(
        after failures: Int, now: Double, queuedAt: Double, jitter: Double = Double.random(in: 0.5...1)
    ) -> Double? {
        let next = now + step(failures) * jitter
        return next <= queuedAt + window ? next : nil
    }
}
