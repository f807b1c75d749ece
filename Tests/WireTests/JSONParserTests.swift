import Testing

@testable import Wire

struct JSONParserTests {
    private func parse(_ text: String, maxDepth: Int = 32) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8), maxDepth: maxDepth)
    }

    private func parseError(_ text: String, maxDepth: Int = 32) -> JSONParseError? {
        do {
            _ = try parse(text, maxDepth: maxDepth)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Values

    @Test func scalars() throws {
        #expect(try parse("null") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse(" false ") == .bool(false))
        #expect(try parse("42") == .number(42))
        #expect(try parse("-1.5e3") == .number(-1500))
        #expect(try parse("0.25") == .number(0.25))
        #expect(try parse("\"hi\"") == .string("hi"))
    }

    @Test func containers() throws {
        let value = try parse(#" { "a" : [1, 2, {"b": null}], "c": {}, "d": [] } "#)
        #expect(value == ["a": [1, 2, ["b": nil]], "c": [:], "d": []])
        #expect(value["a"]?.arrayValue?.count == 3)
        #expect(value["c"]?.objectValue?.isEmpty == true)
        #expect(value["missing"] == nil)
    }

    @Test func duplicateKeysLastWins() throws {
        #expect(try parse(#"{"a":1,"a":2}"#) == ["a": 2])
    }

    @Test func accessors() throws {
        let value = try parse(#"{"s":"x","n":3,"f":1.5,"big":1e300,"b":true,"z":null}"#)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["n"]?.intValue == 3)
        #expect(value["f"]?.intValue == nil)
        #expect(value["f"]?.doubleValue == 1.5)
        #expect(value["big"]?.intValue == nil)
        #expect(value["b"]?.boolValue == true)
        #expect(value["z"]?.isNull == true)
        #expect(value["s"]?.intValue == nil)
        #expect(value.stringValue == nil)
    }

    // MARK: - Strings

    @Test func escapes() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        #expect(try parse(#""\u0041\u00e9\u20AC\u0000""#) == .string("Aé€\u{0}"))
    }

    @Test func surrogatePairs() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try parse(#""x\uD834\uDD1Ey""#) == .string("x𝄞y"))
    }

    @Test func rawUnicode() throws {
        #expect(try parse("\"héllo 世界 😀\"") == .string("héllo 世界 😀"))
        #expect(try parse("{\"ключ\":\"значение\"}") == ["ключ": "значение"])
    }

    @Test func otherInputKinds() throws {
        #expect(try JSONParser.parse("[1]") == [1])
        #expect(try JSONParser.parse(Array("[1]".utf8)[...]) == [1])
        let bytes: [UInt8] = Array("[true]".utf8)
        let value = try bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) in try JSONParser.parse(buffer) }
        }.get()
        #expect(value == [true])
    }

    // MARK: - Numbers

    @Test func numbers() throws {
        #expect(try parse("-0").doubleValue?.sign == .minus)
        #expect(try parse("1e308") == .number(1e308))
        #expect(try parse("1E-2") == .number(0.01))
        #expect(try parse("1.7976931348623157e308") == .number(.greatestFiniteMagnitude))
        #expect(try parse("5e-324") == .number(.leastNonzeroMagnitude))
        #expect(try parse("1e-400") == .number(0))
        #expect(try parse("123456789012345678901234567890") == .number(123456789012345678901234567890.0))
        #expect(try parse("9007199254740993") == .number(9007199254740992))
        #expect(try parse("1712345678.123456") == .number(1712345678.123456))
        #expect(try parse("0.1") == .number(0.1))
        #expect(try parse("3.14159265358979323846") == .number(3.14159265358979323846))
    }

    @Test func numbersMatchStandardLibrary() throws {
        let samples = ["0.3", "2.5e-5", "1.0000000000000002", "123.456e7", "4.9e-320", "0.000001", "99999999999999999999e-5"]
        for text in samples {
            #expect(try parse(text) == .number(Double(text)!), "\(text)")
        }
    }

    // MARK: - Refusals

    @Test(arguments: [
        ("", JSONParseError.Kind.unexpectedEnd),
        ("   ", .unexpectedEnd),
        ("[1,]", .unexpectedByte),
        (#"{"a":1,}"#, .unexpectedByte),
        ("[1 2]", .unexpectedByte),
        (#"{"a" 1}"#, .unexpectedByte),
        ("{a:1}", .unexpectedByte),
        ("{'a':1}", .unexpectedByte),
        (#""abc"#, .unexpectedEnd),
        (#"["abc"#, .unexpectedEnd),
        ("[1", .unexpectedEnd),
        (#"{"a":1"#, .unexpectedEnd),
        ("1 2", .trailingData),
        ("{}x", .trailingData),
        ("01", .invalidNumber),
        ("-01", .invalidNumber),
        ("1.", .invalidNumber),
        (".5", .unexpectedByte),
        ("1e", .invalidNumber),
        ("1e+", .invalidNumber),
        ("-", .invalidNumber),
        ("+1", .unexpectedByte),
        ("NaN", .unexpectedByte),
        ("Infinity", .unexpectedByte),
        ("-Infinity", .invalidNumber),
        ("1e309", .numberOutOfRange),
        ("-1e400", .numberOutOfRange),
        ("tru", .invalidLiteral),
        ("nul", .invalidLiteral),
        ("True", .unexpectedByte),
        ("\"a\u{1}b\"", .controlCharacter),
        ("\"a\nb\"", .controlCharacter),
        (#""\x""#, .invalidEscape),
        (#""\u12G4""#, .invalidEscape),
        (#""\u12""#, .unexpectedEnd),
        (#""\ud83d""#, .loneSurrogate),
        (#""\ud83dx""#, .loneSurrogate),
        (#""\ud83d\u0041""#, .loneSurrogate),
        (#""\ude00""#, .loneSurrogate),
        ("\u{FEFF}{}", .unexpectedByte),
    ])
    func invalidInputs(text: String, kind: JSONParseError.Kind) {
        #expect(parseError(text)?.kind == kind, "\(text.debugDescription)")
    }

    @Test func invalidUTF8() {
        let inputs: [[UInt8]] = [
            [0x22, 0xFF, 0x22],
            [0x22, 0xC3, 0x22],  // truncated sequence
            [0x22, 0xC0, 0xAF, 0x22],  // overlong "/"
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
            [0x22, 0x5C, 0x6E, 0xFF, 0x22],  // after an escape (slow path)
        ]
        for bytes in inputs {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
            #expect((try? JSONParser.parse(bytes)) == nil)
        }
        #expect(throws: JSONParseError(.invalidUTF8, at: 1)) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func errorOffsetAndMessage() {
        let error = parseError(#"{"a": tx}"#)
        #expect(error == JSONParseError(.invalidLiteral, at: 7))
        #expect(error?.description == "invalid literal (expected true, false or null) at byte 7")
    }

    // MARK: - Depth

    @Test func depthLimit() throws {
        let ok = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        let tooDeep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(try parse(ok).arrayValue != nil)
        #expect(parseError(tooDeep)?.kind == .tooDeep)
        let objects = String(repeating: #"{"a":"#, count: 33) + "1" + String(repeating: "}", count: 33)
        #expect(parseError(objects)?.kind == .tooDeep)
        #expect(try parse(objects, maxDepth: 33)["a"] != nil)
        #expect(parseError("[]", maxDepth: 0)?.kind == .tooDeep)
        #expect(try parse("1", maxDepth: 0) == 1)
    }

    @Test func hostileNestingNeverOverflows() {
        let deep = String(repeating: "[", count: 1_000_000)
        #expect(parseError(deep)?.kind == .tooDeep)
        #expect(parseError(deep, maxDepth: .max)?.kind == .tooDeep)
    }
}
