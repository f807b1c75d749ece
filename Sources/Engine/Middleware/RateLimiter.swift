import Actors
import Synchronization

/// Per-user token buckets: `limit` requests per `window` seconds, refilled continuously.
public final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updatedAt: Double
        /// When a refusal was last answered; refusals in between are dropped.
        var answeredRefusalAt: Double = -.infinity
    }

    /// What to do with a request.
    public enum Decision: Equatable, Sendable {
        case allowed
        /// Over the limit: answer `rate_limited` with `retryAfter`, or (`answer == false`) drop it, because a
        /// user who keeps sending while refused would otherwise have us publish one reply per flood message.
        case refused(retryAfter: Double, answer: Bool)
    }

    /// Seconds between two answered refusals of one user.
    public let refusalAnswerInterval: Double

    public let limit: Int
    public let window: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Above this many tracked users, idle (full) buckets are dropped: a full bucket is the default.
    private let pruneThreshold = 50_000

    /// - Parameters:
    ///   - limit: requests allowed per window; 0 turns limiting off.
    ///   - window: the window in seconds.
    ///   - refusalAnswerInterval: seconds between two `rate_limited` replies to one user.
    public init(limit: Int, window: Double = 60, refusalAnswerInterval: Double = 1) {
        self.limit = limit
        self.window = window
        self.refusalAnswerInterval = refusalAnswerInterval
    }

    /// Takes one token for `userId`, or says how long until one is available and whether to answer.
    public func take(_ userId: String, now: Double) -> Decision {
        guard limit > 0 else { return .allowed }
        let capacity = Double(limit)
        let rate = capacity / window
        return buckets.withLock { buckets in
            var bucket = buckets[userId] ?? Bucket(tokens: capacity, updatedAt: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.updatedAt) * rate)
            bucket.updatedAt = now
            defer {
                buckets[userId] = bucket
                if buckets.count > pruneThreshold { prune(&buckets, now: now, rate: rate, capacity: capacity) }
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return .allowed
            }
            let answer = now - bucket.answeredRefusalAt >= refusalAnswerInterval
            if answer { bucket.answeredRefusalAt = now }
            let wait = (1 - bucket.tokens) / rate
            return .refused(retryAfter: (wait * 1000).rounded(.up) / 1000, answer: answer)
        }
    }

    private func prune(_ buckets: inout [String: Bucket], now: Double, rate: Double, capacity: Double) {
        buckets = buckets.filter { $0.value.tokens + (now - $0.value.updatedAt) * rate < capacity }
    }
}
