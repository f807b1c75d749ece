/// The seq numbers one receiver got for one room, split into membership periods.
///
/// A period opens when the user sends `join` (or `create`) while not a member and closes when the
/// `left` reply arrives. The engine numbers every room message and fans each one out to all members
/// in `seq` order, so inside a period the seqs must be consecutive, with no repeat.
public struct RoomTimeline: Sendable {
    /// One membership period: seqs in arrival order.
    public struct Period: Sendable, Equatable {
        public var seqs: [UInt64] = []
        public var closed = false
    }

    public private(set) var periods: [Period] = []
    /// Seq-bearing deliveries that arrived outside any period (after a confirmed leave).
    public private(set) var outside: [UInt64] = []

    public init() {}

    /// Whether a period is open.
    public var isOpen: Bool { periods.last.map { !$0.closed } ?? false }

    /// Opens a period unless one is open.
    public mutating func open() {
        if !isOpen { periods.append(Period()) }
    }

    /// Closes the open period, if any.
    public mutating func close() {
        if isOpen { periods[periods.count - 1].closed = true }
    }

    /// Records a delivered message's seq.
    public mutating func deliver(_ seq: UInt64) {
        if isOpen { periods[periods.count - 1].seqs.append(seq) } else { outside.append(seq) }
    }

    /// Highest seq received in the last period.
    public var lastSeq: UInt64? { periods.last?.seqs.max() }

    /// Checks order, gaps and repeats; `finalSeq` (the room's last seq, when known) checks the tail of
    /// a period still open at the end. With `stored` (the seqs history holds), a gap every seq of which
    /// history has is not a violation: across a crash, events the engine had stored but not yet published
    /// are lost in flight, and clients fill such gaps from `history` by `seq`. `storedFrom` is the oldest
    /// seq history still holds when the room outgrew its ring: a gap entirely before it can be neither
    /// filled nor proven lost, so it is not judged.
    public func violations(finalSeq: UInt64?, stored: Set<UInt64>? = nil, storedFrom: UInt64? = nil) -> [String] {
        func fillable(_ range: ClosedRange<UInt64>) -> Bool {
            guard let stored else { return false }
            if let storedFrom, range.upperBound < storedFrom { return true }
            return range.allSatisfy { stored.contains($0) }
        }
        var found: [String] = []
        for (index, period) in periods.enumerated() {
            var previous: UInt64?
            var seen = Set<UInt64>()
            for seq in period.seqs {
                if !seen.insert(seq).inserted {
                    found.append("period \(index): duplicate seq \(seq)")
                } else if let previous, seq < previous {
                    found.append("period \(index): seq \(seq) after \(previous) (out of order)")
                } else if let previous, seq > previous + 1, !fillable((previous + 1)...(seq - 1)) {
                    found.append("period \(index): gap, seqs \(previous + 1)...\(seq - 1) missing")
                }
                previous = max(previous ?? seq, seq)
            }
            if !period.closed, let finalSeq, let last = previous, last < finalSeq, !fillable((last + 1)...finalSeq) {
                found.append("period \(index): missing tail, last seq \(last) of \(finalSeq)")
            }
        }
        if !outside.isEmpty {
            found.append("\(outside.count) deliveries after leaving (seqs \(outside.prefix(5).map(String.init).joined(separator: ",")))")
        }
        return found
    }
}
