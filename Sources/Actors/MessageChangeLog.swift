import DequeModule

/// Which stored messages were edited, deleted or reacted to, and in what order: what a client that
/// syncs learns about messages it already holds (SPEC §10).
///
/// Every such change gets the next `changeSeq`; the log keeps the last `capacity` of them. A client sends
/// the `changeSeq` it last saw and gets the messages changed since, or `truncated` when the log no longer
/// reaches back that far (it then refetches the room's recent history).
public struct MessageChangeLog: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var changeSeq: UInt64
        public var seq: UInt64

        public init(changeSeq: UInt64, seq: UInt64) {
            self.changeSeq = changeSeq
            self.seq = seq
        }
    }

    /// Bounded so a room with busy reactions costs at most 16 bytes times this.
    public static let defaultCapacity = 512

    public let capacity: Int
    /// The newest change's number; 0 before any.
    public private(set) var changeSeq: UInt64 = 0
    /// The newest change number the log has forgotten; a client that saw less than this missed some.
    public private(set) var forgottenUpTo: UInt64 = 0
    public private(set) var entries: Deque<Entry> = []

    public init(capacity: Int = MessageChangeLog.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Rebuilds a log from its stored parts.
    public init(changeSeq: UInt64, forgottenUpTo: UInt64, entries: [Entry], capacity: Int = MessageChangeLog.defaultCapacity) {
        self.init(capacity: capacity)
        self.changeSeq = changeSeq
        self.forgottenUpTo = forgottenUpTo
        self.entries = Deque(entries.suffix(self.capacity))
        if entries.count > self.capacity, let dropped = entries.dropLast(self.capacity).last {
            self.forgottenUpTo = max(forgottenUpTo, dropped.changeSeq)
        }
    }

    mutating func record(seq: UInt64) {
        changeSeq += 1
        entries.append(Entry(changeSeq: changeSeq, seq: seq))
        if entries.count > capacity, let dropped = entries.popFirst() {
            forgottenUpTo = dropped.changeSeq
        }
    }

    /// The seqs changed after `seen`, oldest change first, each once; nil when the log no longer reaches
    /// back to `seen`.
    public func seqs(changedAfter seen: UInt64) -> [UInt64]? {
        guard seen < changeSeq else { return [] }
        guard seen >= forgottenUpTo else { return nil }
        var found: [UInt64] = []
        var listed: Set<UInt64> = []
        for entry in entries where entry.changeSeq > seen && listed.insert(entry.seq).inserted {
            found.append(entry.seq)
        }
        return found
    }
}
