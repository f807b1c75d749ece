/// Compares what the stress users saw acknowledged and delivered with a room's history at the end.
public struct RoomAudit: Sendable {
    /// A message as the audit needs it.
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var content: String?
        public init(id: String, content: String? = nil) {
            self.id = id
            self.content = content
        }
    }

    /// History fetched at the end, by seq.
    public var history: [UInt64: Entry] = [:]
    /// Whether paging reached the oldest message the room holds.
    public var historyComplete = false
    /// Acknowledged sends (`message_sent` replies), by seq.
    public var acknowledged: [UInt64: Entry] = [:]
    /// Delivered message ids by seq, merged over receivers.
    public private(set) var delivered: [UInt64: String] = [:]
    /// Seqs delivered with different ids to different receivers.
    public private(set) var conflicts: [String] = []

    public init() {}

    /// Records one delivery; a seq seen with two ids is a conflict (seqs are never reused).
    public mutating func deliver(seq: UInt64, id: String) {
        if let known = delivered[seq] {
            if known != id { conflicts.append("seq \(seq) delivered as \(known) and \(id)") }
        } else {
            delivered[seq] = id
        }
    }

    /// How many messages a room keeps (SPEC §8: the oldest are evicted beyond it).
    public var ringCapacity = 1000

    /// The lowest seq history must cover: all of them, unless paging stopped early or the ring is full
    /// (then older messages were evicted, as they should be).
    public var floor: UInt64 {
        if historyComplete && history.count < ringCapacity { return 0 }
        return history.keys.min() ?? UInt64.max
    }

    /// Acknowledged messages missing from history or changed; deliveries history disagrees with.
    public func violations() -> [String] {
        var found = conflicts
        var lost: [UInt64] = []
        for (seq, entry) in acknowledged.sorted(by: { $0.key < $1.key }) where seq >= floor {
            guard let stored = history[seq] else {
                lost.append(seq)
                continue
            }
            if stored.id != entry.id {
                found.append("acknowledged seq \(seq) is \(entry.id), history has \(stored.id)")
            } else if let content = entry.content, let kept = stored.content, content != kept {
                found.append("acknowledged seq \(seq) content changed: \(content) → \(kept)")
            }
        }
        if !lost.isEmpty {
            found.append("\(lost.count) acknowledged messages missing from history (seqs \(lost.prefix(8).map(String.init).joined(separator: ","))…)")
        }
        var mismatched = 0
        var absent = 0
        for (seq, id) in delivered where seq >= floor {
            if let stored = history[seq] {
                if stored.id != id { mismatched += 1 }
            } else {
                absent += 1
            }
        }
        if mismatched > 0 { found.append("\(mismatched) delivered seqs whose id differs in history") }
        if absent > 0 { found.append("\(absent) delivered seqs absent from history") }
        return found
    }
}
