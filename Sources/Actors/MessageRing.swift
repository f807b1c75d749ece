/// A room's timeline: the newest `capacity` messages in `seq` order; older ones are evicted.
///
/// Seqs in the ring are strictly increasing but may have gaps (cleanup removes messages), so lookups by
/// seq binary-search the ring instead of computing an offset.
public struct MessageRing: Sendable, Equatable {
    public let capacity: Int
    private var storage: [ChatMessage] = []
    /// Index in `storage` of the oldest message once the ring has wrapped.
    private var head = 0

    public init(capacity: Int = 1000) {
        precondition(capacity > 0)
        self.capacity = capacity
        storage.reserveCapacity(Swift.min(capacity, 64))
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }

    /// The message at logical position `i` (0 = oldest).
    public subscript(position: Int) -> ChatMessage {
        get { storage[physical(position)] }
        set { storage[physical(position)] = newValue }
    }

    public var last: ChatMessage? { isEmpty ? nil : self[count - 1] }
    public var first: ChatMessage? { isEmpty ? nil : self[0] }

    /// Appends a message whose seq is above every stored one; returns the evicted oldest message, if any.
    @discardableResult
    public mutating func append(_ message: ChatMessage) -> ChatMessage? {
        precondition(last.map { $0.seq < message.seq } ?? true, "seq must increase")
        if storage.count < capacity {
            storage.append(message)
            return nil
        }
        let evicted = storage[head]
        storage[head] = message
        head = (head + 1) % capacity
        return evicted
    }

    /// Logical position of the message with this seq, or nil when it is not (or no longer) stored.
    public func position(ofSeq seq: UInt64) -> Int? {
        var low = 0
        var high = count - 1
        while low <= high {
            let mid = (low + high) / 2
            let value = self[mid].seq
            if value == seq { return mid }
            if value < seq { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    /// Number of stored messages with seq below `seq`: the position where such a seq would be inserted.
    public func lowerBound(seq: UInt64) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid].seq < seq { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Keeps only the messages for which `keep` is true, preserving order.
    public mutating func removeAll(where shouldRemove: (ChatMessage) -> Bool) {
        let kept = Array(self).filter { !shouldRemove($0) }
        storage = kept
        head = 0
    }

    private func physical(_ position: Int) -> Int {
        precondition(position >= 0 && position < storage.count, "ring position out of range")
        let index = head + position
        return index < storage.count ? index : index - storage.count
    }
}

extension MessageRing: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
}
