/// The payload a load sender puts in a message's `content`: who sent it, its per-sender number and when.
///
/// Text form `b|s=<sender>|n=<number>|t=<micros>`: ASCII, lower case and short, so the engine's content
/// rules (capitals, profanity, links) leave it untouched and receivers can find it without parsing JSON.
public struct BenchContent: Sendable, Equatable {
    /// Global sender index (room × senders per room + sender).
    public var sender: Int
    /// Per-sender sequence number, counted from 1.
    public var number: Int
    /// Send time, microseconds on the bench's monotonic clock.
    public var sentAt: UInt64

    public init(sender: Int, number: Int, sentAt: UInt64) {
        self.sender = sender
        self.number = number
        self.sentAt = sentAt
    }

    /// The content string.
    public var text: String { "b|s=\(sender)|n=\(number)|t=\(sentAt)" }

    private static let marker: [UInt8] = Array("b|s=".utf8)

    /// Parses the content string itself.
    public init?(text: String) {
        guard let parsed = Self.find(in: Array(text.utf8)) else { return nil }
        self = parsed
    }

    /// Finds the content inside a whole payload (JSON or not) by scanning for its marker.
    ///
    /// Receivers run on libmosquitto's threads for every delivery; a byte scan keeps them far cheaper
    /// than the engine they measure.
    public static func find(in bytes: [UInt8]) -> BenchContent? {
        bytes.withUnsafeBufferPointer { find(in: $0) }
    }

    /// Every content in a payload, in order: a room topic's payload is an array of events, several under
    /// load.
    public static func findAll(in bytes: [UInt8]) -> [BenchContent] {
        bytes.withUnsafeBufferPointer { buffer in
            var found: [BenchContent] = []
            var start = 0
            while let next = find(in: buffer, from: &start) { found.append(next) }
            return found
        }
    }

    /// Same as ``find(in:)-([UInt8])`` over a buffer.
    public static func find(in bytes: UnsafeBufferPointer<UInt8>) -> BenchContent? {
        var start = 0
        return find(in: bytes, from: &start)
    }

    /// The first content at or after `start`, which moves past it.
    static func find(in bytes: UnsafeBufferPointer<UInt8>, from start: inout Int) -> BenchContent? {
        let count = bytes.count
        while start + marker.count <= count {
            if bytes[start] == marker[0], bytes[start + 1] == marker[1], bytes[start + 2] == marker[2],
               bytes[start + 3] == marker[3] {
                var index = start + marker.count
                if let sender = number(bytes, &index), expect(bytes, &index, "|n="),
                   let seq = number(bytes, &index), expect(bytes, &index, "|t="),
                   let time = number(bytes, &index) {
                    start = index
                    return BenchContent(sender: Int(sender), number: Int(seq), sentAt: time)
                }
            }
            start += 1
        }
        return nil
    }

    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        let first = index
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57, index - first < 19 {
            value = value * 10 + UInt64(bytes[index] - 48)
            index += 1
        }
        return index > first ? value : nil
    }

    private static func expect(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard index + length <= bytes.count else { return false }
        for offset in 0..<length where bytes[index + offset] != literal.utf8Start[offset] { return false }
        index += length
        return true
    }
}
