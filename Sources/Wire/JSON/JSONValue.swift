/// A JSON document held in memory: the exchange type between the parser, the writer and handlers.
///
/// Numbers are `Double`, as in JavaScript and RFC 8259's interoperable range; integers up to ±2^53
/// are exact. Objects are unordered; duplicate keys collapse to the last one when parsed.
public enum JSONValue: Sendable, Equatable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// Any number; always finite when parsed.
    case number(Double)
    /// A string, already unescaped.
    case string(String)
    /// An ordered list.
    case array([JSONValue])
    /// An object; key order is not kept.
    case object([String: JSONValue])
}
