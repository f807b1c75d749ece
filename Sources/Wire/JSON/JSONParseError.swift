/// Why a JSON text was refused, and the byte offset where the parser noticed.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure; stable, so callers may switch on them.
    public enum Kind: String, Sendable, Equatable {
        case unexpectedEnd
        case unexpectedByte
        case invalidLiteral
        case invalidNumber
        case numberOutOfRange
        case invalidEscape
        case loneSurrogate
        case controlCharacter
        case invalidUTF8
        case trailingData
        case tooDeep
    }

    /// What went wrong.
    public let kind: Kind
    /// Offset in bytes from the start of the input.
    public let offset: Int

    /// Creates an error of `kind` at byte `offset`.
    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// A human sentence, fit for a log line or an `invalid_payload` message.
    public var message: String {
        switch kind {
        case .unexpectedEnd: "unexpected end of input"
        case .unexpectedByte: "unexpected character"
        case .invalidLiteral: "invalid literal (expected true, false or null)"
        case .invalidNumber: "invalid number"
        case .numberOutOfRange: "number out of range"
        case .invalidEscape: "invalid escape sequence in string"
        case .loneSurrogate: "unpaired UTF-16 surrogate in \\u escape"
        case .controlCharacter: "unescaped control character in string"
        case .invalidUTF8: "invalid UTF-8 in string"
        case .trailingData: "unexpected data after the JSON value"
        case .tooDeep: "nesting too deep"
        }
    }

    /// The message and the offset.
    public var description: String { "\(message) at byte \(offset)" }
}
