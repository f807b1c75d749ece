/// Builds compact JSON text into a byte buffer, from a ``JSONValue`` or piece by piece.
///
/// The incremental calls let hot paths write an event straight to bytes without building a
/// ``JSONValue`` first:
///
/// ```swift
/// var writer = JSONWriter()
/// writer.beginObject()
/// writer.key("type"); writer.string("typing_start")
/// writer.key("room_id"); writer.string(roomID)
/// writer.endObject()
/// publish(writer.bytes)
/// ```
///
/// Commas are inserted automatically; the writer does not check that calls nest correctly
/// (a key inside an array gives invalid JSON), so keep each event's writing in one function.
public struct JSONWriter: Sendable {
    /// The JSON written so far.
    public var bytes: [UInt8]
    /// Whether objects from ``value(_:)`` are written with keys in ascending order (for stable output in tests).
    public var sortedKeys: Bool
    /// Whether the next value or key follows a sibling and so needs a comma first.
    private var needsComma = false

    /// Creates an empty writer.
    /// - Parameters:
    ///   - capacity: bytes to reserve up front; a typical chat event fits in the default.
    ///   - sortedKeys: write object keys from ``value(_:)`` in ascending order.
    public init(capacity: Int = 256, sortedKeys: Bool = false) {
        bytes = []
        bytes.reserveCapacity(capacity)
        self.sortedKeys = sortedKeys
    }

    // MARK: - Structure

    /// Writes `{`.
    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// Writes `}`.
    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Writes `[`.
    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    /// Writes `]`.
    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes an object key and its colon; the next call writes its value.
    public mutating func key(_ key: String) {
        separate()
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: - Scalars

    /// Writes a string value, escaped.
    public mutating func string(_ value: String) {
        separate()
        appendQuoted(value)
        needsComma = true
    }

    /// Writes a number; integral values within ±2^53 without a fraction, non-finite ones as `null`.
    public mutating func number(_ value: Double) {
        separate()
        appendNumber(value)
        needsComma = true
    }

    /// Writes an integer.
    public mutating func number(_ value: Int) {
        separate()
        appendInteger(value)
        needsComma = true
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
        needsComma = true
    }

    /// Writes `null`.
    public mutating func null() {
        separate()
        bytes.append(contentsOf: Self.nullBytes)
        needsComma = true
    }

    /// Writes already-serialized JSON as one value, unchecked: for events encoded once and sent to many.
    public mutating func raw(_ json: some Collection<UInt8>) {
        separate()
        bytes.append(contentsOf: json)
        needsComma = true
    }

    // MARK: - Private

    static let trueBytes: StaticString = "true"
    static let falseBytes: StaticString = "false"
    static let nullBytes: StaticString = "null"

    @inline(__always)
    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func append(contentsOf text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
