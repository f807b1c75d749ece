/// Matches requests to replies by `request_id`: every request must get exactly one reply.
public struct ReplyLedger: Sendable {
    /// Replies received per request id sent; zero until the reply comes.
    private var replies: [String: Int] = [:]
    /// Times each request was sent again with the same id; each may bring one more (identical) reply.
    private var resent: [String: Int] = [:]
    /// Each request's first reply, by hash, to tell a repeat of it from a different answer.
    private var first: [String: Int] = [:]
    /// Replies whose `request_id` was never sent (or absent).
    public private(set) var unmatched = 0
    /// Replies that differ from the first reply to the same request.
    public private(set) var differing = 0

    public init() {}

    /// Records a request about to be published.
    public mutating func sent(_ requestId: String) {
        replies[requestId] = 0
    }

    /// Records that a request went out again with the same id (a client's retry after no reply).
    public mutating func resent(_ requestId: String) {
        resent[requestId, default: 0] += 1
    }

    /// Records a reply, `fingerprint` its content's hash; returns whether it is the first for a known request.
    @discardableResult
    public mutating func replied(_ requestId: String?, fingerprint: Int = 0) -> Bool {
        guard let requestId, let count = replies[requestId] else {
            unmatched += 1
            return false
        }
        replies[requestId] = count + 1
        if count == 0 {
            first[requestId] = fingerprint
        } else if first[requestId] != fingerprint {
            differing += 1
        }
        return count == 0
    }

    /// Requests sent.
    public var requests: Int { replies.count }
    /// Requests with no reply.
    public var missing: Int { replies.values.lazy.filter { $0 == 0 }.count }
    /// Replies beyond the first and beyond one per retry, summed over requests.
    public var duplicates: Int { replies.reduce(0) { $0 + max(0, $1.value - 1 - (resent[$1.key] ?? 0)) } }
    /// Requests sent again.
    public var retried: Int { resent.count }
    /// Ids of requests without a reply, sorted (for the report).
    public var missingIds: [String] { replies.filter { $0.value == 0 }.map(\.key).sorted() }
}
