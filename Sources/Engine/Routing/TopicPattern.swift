/// A route's topic with `{name}` parameters, each standing for exactly one topic level.
public struct TopicPattern: Sendable, Equatable, CustomStringConvertible {
    /// One level of a pattern.
    public enum Level: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public let levels: [Level]

    /// Parses `"chat/rooms/join/{room_id}"`.
    public init(_ pattern: String) {
        levels = pattern.split(separator: "/", omittingEmptySubsequences: false).map { level in
            if level.first == "{" && level.last == "}" && level.count > 2 {
                return .parameter(String(level.dropFirst().dropLast()))
            }
            return .literal(String(level))
        }
    }

    /// The MQTT subscription filter: every parameter becomes `+`.
    public var filter: String {
        levels.map { level -> String in
            switch level {
            case .literal(let text): text
            case .parameter: "+"
            }
        }.joined(separator: "/")
    }

    public var description: String {
        levels.map { level -> String in
            switch level {
            case .literal(let text): text
            case .parameter(let name): "{\(name)}"
            }
        }.joined(separator: "/")
    }
}
