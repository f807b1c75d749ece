/// A JSON document held in memory: the exchange type between the parser, the writer and handlers.
///
/// Numbers are `Double`, as in JavaScript and RFC 8259's interoperable range; integers up to ±2^53
/// are exact. Objects are unordered; duplicate keys collapse to the last one when parsed.
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}
