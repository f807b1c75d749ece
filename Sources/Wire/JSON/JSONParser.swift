/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Recursive descent with an explicit depth limit: the limit (capped at ``depthCeiling``) bounds the
/// recursion, so hostile input ends in `.tooDeep` rather than a stack overflow.
public struct JSONParser {
    /// The largest `maxDepth` honoured; bigger requests are lowered to it to keep recursion safe on
    /// small thread stacks.
    public static let depthCeiling = 512

    let input: UnsafeRawBufferPointer
    var index = 0
    var depth = 0
    let maxDepth: Int

    private init(input: UnsafeRawBufferPointer, maxDepth: Int) {
        self.input = input
        self.maxDepth = max(0, min(maxDepth, Self.depthCeiling))
    }

    // MARK: - Entry points

    /// Parses one JSON value that fills all of `input` (surrounding whitespace allowed).
    public static func parse(
        _ input: UnsafeRawBufferPointer, maxDepth: Int = 32
    ) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(input: input, maxDepth: maxDepth)
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == input.count else { throw parser.error(.trailingData) }
        return value
    }

    /// Parses one JSON value from a byte array.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 32) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) in try parse(buffer, maxDepth: maxDepth) }
        }.get()
    }

    /// Parses one JSON value from any byte collection; contiguous ones are not copied.
    public static func parse(
        _ bytes: some Collection<UInt8>, maxDepth: Int = 32
    ) throws(JSONParseError) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in
                try parse(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth)
            }
        }
        return try (result ?? Result { () throws(JSONParseError) in
            try parse(Array(bytes), maxDepth: maxDepth)
        }).get()
    }

    /// Parses one JSON value from the UTF-8 of `text`.
    public static func parse(_ text: String, maxDepth: Int = 32) throws(JSONParseError) -> JSONValue {
        var text = text
        return try text.withUTF8 { buffer in
            Result { () throws(JSONParseError) in
                try parse(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth)
            }
        }.get()
    }

    // MARK: - Values

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard index < input.count else { throw error(.unexpectedEnd) }
        switch input[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error(.unexpectedByte)
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < input.count, input[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < input.count else { throw error(.unexpectedEnd) }
            guard input[index] == UInt8(ascii: "\"") else { throw error(.unexpectedByte) }
            let key = try parseString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            members[key] = try parseValue()  // duplicate keys: last wins
            skipWhitespace()
            guard index < input.count else { throw error(.unexpectedEnd) }
            switch input[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(members)
            default: throw error(.unexpectedByte)
            }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < input.count, input[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard index < input.count else { throw error(.unexpectedEnd) }
            switch input[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(elements)
            default: throw error(.unexpectedByte)
            }
        }
    }

    // MARK: - Helpers

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth { throw error(.tooDeep) }
    }

    mutating func skipWhitespace() {
        while index < input.count {
            switch input[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws(JSONParseError) {
        guard index < input.count else { throw error(.unexpectedEnd) }
        guard input[index] == byte else { throw error(.unexpectedByte) }
        index += 1
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let bytes = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for expected in bytes {
            guard index < input.count, input[index] == expected else { throw error(.invalidLiteral) }
            index += 1
        }
    }

    func error(_ kind: JSONParseError.Kind) -> JSONParseError {
        JSONParseError(kind, at: index)
    }
}
