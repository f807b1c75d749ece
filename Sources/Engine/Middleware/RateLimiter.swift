import Actors
import Synchronization

/// Per-user token buckets: `limit` requests per `window` seconds, refilled continuously.
public final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updatedAt: Double
    }

    public let limit: Int
    public let window: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Above this many tracked users, idle (full) buckets are dropped: a full bucket is the default.
    private let pruneThreshold = 50_000

    /// - Parameters:
    ///   - limit: requests allowed per window; 0 turns limiting off.
    ///   - window: the window in seconds.
    public init(limit: Int, window: Double = 60) {
        self.limit = limit
        self.window = window
    }

    /// Takes one token for `userId` or throws `rate_limited` with the seconds until one is available.
    public func take(_ userId: String, now: Double) throws(ChatError) {
        guard limit > 0 else { return }
        let capacity = Double(limit)
        let rate = capacity / window
        let wait: Double? = buckets.withLock { buckets in
            var bucket = buckets[userId] ?? Bucket(tokens: capacity, updatedAt: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.updatedAt) * rate)
            bucket.updatedAt = now
            defer {
                buckets[userId] = bucket
                if buckets.count > pruneThreshold { prune(&buckets, now: now, rate: rate, capacity: capacity) }
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) / rate
        }
        if let wait {
            throw ChatError(.rateLimited, "too many requests", retryAfter: (wait * 1000).rounded(.up) / 1000)
        }
    }

    private func prune(_ buckets: inout [String: Bucket], now: Double, rate: Double, capacity: Double) {
        buckets = buckets.filter { $0.value.tokens + (now - $0.value.updatedAt) * rate < capacity }
    }
}
