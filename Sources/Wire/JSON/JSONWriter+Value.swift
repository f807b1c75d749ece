// MARK: - Whole values and fields

extension JSONWriter {
    /// Writes a whole ``JSONValue``.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let double): number(double)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let members):
            beginObject()
            if sortedKeys {
                for name in members.keys.sorted() {
                    key(name)
                    self.value(members[name]!)
                }
            } else {
                for (name, member) in members {
                    key(name)
                    self.value(member)
                }
            }
            endObject()
        }
    }

    /// Writes `"key":value`, with `null` for `nil` (the protocol keeps empty keys as `null`).
    public mutating func field(_ name: String, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    /// Writes `"key":number`, with `null` for `nil`.
    public mutating func field(_ name: String, _ value: Double?) {
        key(name)
        if let value { number(value) } else { null() }
    }

    /// Writes `"key":integer`, with `null` for `nil`.
    public mutating func field(_ name: String, _ value: Int?) {
        key(name)
        if let value { number(value) } else { null() }
    }

    /// Writes `"key":true|false`, with `null` for `nil`.
    public mutating func field(_ name: String, _ value: Bool?) {
        key(name)
        if let value { bool(value) } else { null() }
    }

    /// Writes `"key":value` for a whole ``JSONValue``.
    public mutating func field(_ name: String, _ value: JSONValue) {
        key(name)
        self.value(value)
    }
}

extension JSONValue {
    /// Compact JSON text of this value, as UTF-8 bytes.
    public func serialized(sortedKeys: Bool = false) -> [UInt8] {
        var writer = JSONWriter(capacity: 128, sortedKeys: sortedKeys)
        writer.value(self)
        return writer.bytes
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text with sorted keys, so logs and test failures read the same every time.
    public var description: String {
        String(decoding: serialized(sortedKeys: true), as: UTF8.self)
    }
}
