import MQTT

/// The payloads of room topics: JSON arrays of events in `seq` order. Always an array, so a client reads
/// one shape whether the engine is idle (one event each) or busy (several joined, see `MQTTCoalescing`).
enum RoomTopicBatch {
    /// The most bytes of events joined into one publish. A larger event still leaves, alone.
    static let maxBytes = 64 * 1024

    static let coalescing = MQTTCoalescing(maxBytes: maxBytes, join: join)

    /// `[event]`.
    static func single(_ event: [UInt8]) -> [UInt8] {
        var array = [UInt8]()
        array.reserveCapacity(event.count + 2)
        array.append(UInt8(ascii: "["))
        array.append(contentsOf: event)
        array.append(UInt8(ascii: "]"))
        return array
    }

    /// Arrays joined into one: `[a]`, `[b, c]` → `[a, b, c]`.
    @Sendable static func join(_ arrays: [[UInt8]]) -> [UInt8] {
        var joined = [UInt8]()
        joined.reserveCapacity(arrays.reduce(0) { $0 + $1.count })
        joined.append(UInt8(ascii: "["))
        for (index, array) in arrays.enumerated() where array.count > 2 {
            if index > 0 && joined.count > 1 { joined.append(UInt8(ascii: ",")) }
            joined.append(contentsOf: array[1..<(array.count - 1)])
        }
        joined.append(UInt8(ascii: "]"))
        return joined
    }
}
