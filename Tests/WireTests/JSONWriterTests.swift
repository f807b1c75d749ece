import Testing

@testable import Wire

struct JSONWriterTests {
    private func text(_ value: JSONValue) -> String {
        String(decoding: value.serialized(sortedKeys: true), as: UTF8.self)
    }

    @Test func compactOutput() {
        let value: JSONValue = ["b": [1, true, nil], "a": "x", "c": [:], "d": []]
        #expect(text(value) == #"{"a":"x","b":[1,true,null],"c":{},"d":[]}"#)
    }

    @Test func escaping() {
        #expect(text("q\"b\\s/") == #""q\"b\\s/""#)
        #expect(text("\n\r\t\u{8}\u{C}") == #""\n\r\t\b\f""#)
        #expect(text("\u{0}\u{1F}\u{7F}") == "\"\\u0000\\u001f\u{7F}\"")
        #expect(text("é世😀") == "\"é世😀\"")
    }

    @Test(arguments: [
        (42.0, "42"), (-7.0, "-7"), (0.0, "0"), (-0.0, "0"), (1e15, "1000000000000000"),
        (9007199254740992.0, "9007199254740992"), (-9007199254740992.0, "-9007199254740992"),
        (1.5, "1.5"), (0.1, "0.1"), (1e20, "1e+20"), (1.5e-7, "1.5e-07"),
        (1712345678.123456, "1712345678.123456"), (-0.05, "-0.05"), (0.000001, "0.000001"), (0.1 + 0.2, "0.30000000000000004"),
        (-3.5, "-3.5"), (1e-7, "1e-07"),
        (Double.infinity, "null"), (-Double.infinity, "null"), (Double.nan, "null"),
    ])
    func numberFormatting(value: Double, expected: String) {
        #expect(text(.number(value)) == expected)
    }

    @Test func numbersAreValidJSON() throws {
        for value in [1e20, 1.5e-7, 9007199254740994.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -2.5e-10, 1e300] {
            #expect(try JSONParser.parse(JSONValue.number(value).serialized()) == .number(value))
        }
    }

    @Test func decimalsRoundTrip() throws {
        var generator = SplitMix(seed: 7)
        for _ in 0..<2000 {
            let scale = [10.0, 100, 1000, 1e6, 1e7, 3][generator.below(6)]
            let value = Double(Int64(bitPattern: generator.next()) >> 20) / scale
            let text = String(decoding: JSONValue.number(value).serialized(), as: UTF8.self)
            #expect(Double(text) == value, "\(text)")
            #expect(try JSONParser.parse(Array(text.utf8)) == .number(value))
        }
    }

    @Test func incrementalWriting() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("type", "text" as String?)
        writer.field("reply_to", nil as String?)
        writer.field("seq", 7 as Int?)
        writer.field("timestamp", 1.25 as Double?)
        writer.field("edited", false as Bool?)
        writer.key("reactions")
        writer.beginObject()
        writer.key("👍")
        writer.beginArray()
        writer.string("alice")
        writer.string("bob")
        writer.endArray()
        writer.endObject()
        writer.key("raw")
        writer.raw(Array(#"{"x":1}"#.utf8))
        writer.key("n")
        writer.number(-12)
        writer.key("z")
        writer.null()
        writer.field("v", ["k": [1, 2]] as JSONValue)
        writer.endObject()
        let expected = #"{"type":"text","reply_to":null,"seq":7,"timestamp":1.25,"edited":false,"#
            + #""reactions":{"👍":["alice","bob"]},"raw":{"x":1},"n":-12,"z":null,"v":{"k":[1,2]}}"#
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }

    @Test func topLevelArrayOfValues() {
        var writer = JSONWriter()
        writer.beginArray()
        writer.value(["a": 1])
        writer.value([2])
        writer.bool(true)
        writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"[{"a":1},[2],true]"#)
    }

    @Test func descriptionIsSortedJSON() {
        let value: JSONValue = ["z": 1, "a": "b"]
        #expect(value.description == #"{"a":"b","z":1}"#)
    }

    // MARK: - Round trip

    @Test func roundTripGeneratedValues() throws {
        var generator = SplitMix(seed: 0x5EED)
        for _ in 0..<500 {
            let value = generator.value(depth: 4)
            let bytes = value.serialized()
            #expect(try JSONParser.parse(bytes) == value, "\(value)")
            let sorted = value.serialized(sortedKeys: true)
            #expect(try JSONParser.parse(sorted) == value)
        }
    }

    @Test func roundTripAllControlCharacters() throws {
        let all = String(String.UnicodeScalarView((0..<0x80).map { Unicode.Scalar(UInt8($0)) }))
        let value: JSONValue = [all: .string(all + "😀\u{2028}\u{FFFF}\u{10FFFF}")]
        #expect(try JSONParser.parse(value.serialized()) == value)
    }
}

/// A tiny deterministic generator, so failures reproduce.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func string() -> String {
        let pieces: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}",
            "é", "世", "😀", "👍", "\u{2028}", "\u{FEFF}", "\u{10FFFF}"]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<below(12) { scalars.append(pieces[below(pieces.count)]) }
        return String(scalars)
    }

    mutating func number() -> Double {
        switch below(5) {
        case 0: return Double(below(1_000_000)) - 500_000
        case 1: return Double(bitPattern: next() & 0x7FEF_FFFF_FFFF_FFFF)  // finite, any magnitude
        case 2: return Double(below(1_000_000)) / 1000
        case 3: return -Double(bitPattern: next() & 0x7FEF_FFFF_FFFF_FFFF)
        default: return Double(Int64(bitPattern: next()) >> 11)  // integral, within ±2^53
        }
    }

    mutating func value(depth: Int) -> JSONValue {
        switch below(depth > 0 ? 8 : 4) {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2: return .number(number())
        case 3: return .string(string())
        case 4, 5: return .array((0..<below(5)).map { _ in value(depth: depth - 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<below(5) { members[string()] = value(depth: depth - 1) }
            return .object(members)
        }
    }
}
